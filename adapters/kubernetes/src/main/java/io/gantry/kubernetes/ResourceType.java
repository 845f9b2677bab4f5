package io.gantry.kubernetes;

import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.CoreV1EventList;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ConfigMapList;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1CronJobList;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1DaemonSetList;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentList;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobList;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ReplicaSetList;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SecretList;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceList;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StatefulSetList;

/**
 * The namespaced resources Gantry lists and watches, with the name RBAC uses for them
 * ({@code resource.group}), which is also how a missing permission is reported.
 */
enum ResourceType {
    DEPLOYMENTS("deployments.apps", V1Deployment.class, V1DeploymentList.class),
    STATEFULSETS("statefulsets.apps", V1StatefulSet.class, V1StatefulSetList.class),
    DAEMONSETS("daemonsets.apps", V1DaemonSet.class, V1DaemonSetList.class),
    REPLICASETS("replicasets.apps", V1ReplicaSet.class, V1ReplicaSetList.class),
    JOBS("jobs.batch", V1Job.class, V1JobList.class),
    CRONJOBS("cronjobs.batch", V1CronJob.class, V1CronJobList.class),
    PODS("pods", V1Pod.class, V1PodList.class),
    SERVICES("services", V1Service.class, V1ServiceList.class),
    EVENTS("events", CoreV1Event.class, CoreV1EventList.class),
    /** Kept with their keys only ({@link ConfigObjects#keysOnly}): never a value in memory beyond one list page. */
    SECRETS("secrets", V1Secret.class, V1SecretList.class),
    CONFIGMAPS("configmaps", V1ConfigMap.class, V1ConfigMapList.class);

    private final String rbacName;
    private final Class<? extends KubernetesObject> itemType;
    private final Class<? extends KubernetesListObject> listType;

    ResourceType(String rbacName, Class<? extends KubernetesObject> itemType,
                 Class<? extends KubernetesListObject> listType) {
        this.rbacName = rbacName;
        this.itemType = itemType;
        this.listType = listType;
    }

    String rbacName() {
        return rbacName;
    }

    Class<? extends KubernetesObject> itemType() {
        return itemType;
    }

    Class<? extends KubernetesListObject> listType() {
        return listType;
    }

    /** Secrets and ConfigMaps: objects workloads reference, not part of any workload's state. */
    boolean isConfig() {
        return this == SECRETS || this == CONFIGMAPS;
    }

    /** Where the API server keeps the workload kind. */
    static ResourceType of(NativeKind kind) {
        return switch (kind) {
            case Deployment -> DEPLOYMENTS;
            case StatefulSet -> STATEFULSETS;
            case DaemonSet -> DAEMONSETS;
            case ReplicaSet -> REPLICASETS;
            case Job -> JOBS;
            case CronJob -> CRONJOBS;
        };
    }
}
