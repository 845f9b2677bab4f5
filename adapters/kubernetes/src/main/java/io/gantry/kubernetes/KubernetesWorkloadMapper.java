package io.gantry.kubernetes;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * What the reader, writer and status rules of Kubernetes workloads share: the synthetic labels, a
 * workload object's reference, owner and pod template, and small null-safe helpers. With them, the
 * only classes that see both client-java's types and the model:
 * {@link KubernetesWorkloadReader} (engine -> model), {@link KubernetesWorkloadWriter} (model -> engine
 * objects and patches) and {@link KubernetesStatusRules} (counts, conditions and pods -> status).
 */
final class KubernetesWorkloadMapper {
    static final String SIDECARS_LABEL = "gantry.io/sidecars";
    static final String SCHEDULE_LABEL = "gantry.io/schedule";
    /** Selector label Gantry puts on what it deploys; its value is the workload name. */
    static final String WORKLOAD_LABEL = "gantry.io/workload";
    /** On a Service Gantry created for published ports: {@code Kind.name} of the workload it belongs to. */
    static final String OWNER_LABEL = "gantry.io/owner";
    static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

    private KubernetesWorkloadMapper() {
    }

    /** The reference of a workload object, or {@code null} when the object is not one Gantry reads. */
    static WorkloadRef refOf(KubernetesObject object) {
        NativeKind kind = object instanceof V1Deployment ? NativeKind.Deployment
                : object instanceof V1StatefulSet ? NativeKind.StatefulSet
                : object instanceof V1DaemonSet ? NativeKind.DaemonSet
                : object instanceof V1ReplicaSet ? NativeKind.ReplicaSet
                : object instanceof V1Job ? NativeKind.Job
                : object instanceof V1CronJob ? NativeKind.CronJob
                : null;
        V1ObjectMeta meta = object.getMetadata();
        if (kind == null || meta == null || meta.getName() == null) {
            return null;
        }
        return new WorkloadRef(namespaceOf(meta), kind, meta.getName());
    }

    /** The controller owning an object ({@code ownerReferences} entry with {@code controller: true}), or null. */
    static V1OwnerReference controllerOf(V1ObjectMeta meta) {
        if (meta == null) {
            return null;
        }
        return nullSafe(meta.getOwnerReferences()).stream()
                .filter(o -> Boolean.TRUE.equals(o.getController())).findFirst()
                .orElse(nullSafe(meta.getOwnerReferences()).stream().findFirst().orElse(null));
    }

    static V1PodTemplateSpec templateOf(KubernetesObject object) {
        if (object instanceof V1Deployment d) {
            return d.getSpec() == null ? null : d.getSpec().getTemplate();
        } else if (object instanceof V1StatefulSet s) {
            return s.getSpec() == null ? null : s.getSpec().getTemplate();
        } else if (object instanceof V1DaemonSet d) {
            return d.getSpec() == null ? null : d.getSpec().getTemplate();
        } else if (object instanceof V1ReplicaSet r) {
            return r.getSpec() == null ? null : r.getSpec().getTemplate();
        } else if (object instanceof V1Job j) {
            return j.getSpec() == null ? null : j.getSpec().getTemplate();
        } else if (object instanceof V1CronJob c) {
            return c.getSpec() == null || c.getSpec().getJobTemplate().getSpec() == null ? null
                    : c.getSpec().getJobTemplate().getSpec().getTemplate();
        }
        return null;
    }

    static V1PodSpec template(V1PodTemplateSpec template) {
        return template == null ? null : template.getSpec();
    }

    static String namespaceOf(V1ObjectMeta meta) {
        return meta.getNamespace() == null ? "default" : meta.getNamespace();
    }

    static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    @SafeVarargs
    static <T> T firstNonNull(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    static <T> List<T> nullSafe(List<T> list) {
        return list == null ? List.of() : list;
    }

    static <K, V> Map<K, V> nullSafe(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }
}
