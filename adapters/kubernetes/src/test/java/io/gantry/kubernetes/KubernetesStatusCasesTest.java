package io.gantry.kubernetes;

import com.google.gson.JsonObject;
import io.gantry.spi.StatusCases;
import io.gantry.spi.WorkloadStatus;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobCondition;
import io.kubernetes.client.openapi.models.V1JobSpec;
import io.kubernetes.client.openapi.models.V1JobStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Kubernetes status rule table ({@code testdata/fixtures/kubernetes/status-cases.tsv}): every row's
 * real object through the reader's own mapping ({@link KubernetesWorkloadReader#toWorkload}). The
 * {@code select} column: {@code -} the file holds one workload object, read alone (no pods);
 * {@code deployment-pod} the file's pods (a Pod or a List) are all the pods of a Deployment with that many
 * replicas, all updated, whose controller counts the Ready ones as ready and available;
 * {@code job-pod} the pod is the one pod of a Job of one completion, whose status counts it by its phase.
 */
class KubernetesStatusCasesTest {

    static List<StatusCases.Case> cases() {
        return StatusCases.load(Fixtures.dir().resolve("status-cases.tsv")).cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rowHolds(StatusCases.Case c) {
        List<JsonObject> docs = Fixtures.documents(c.file());
        WorkloadStatus status = switch (c.select()) {
            case "" -> KubernetesWorkloadReader.toWorkload(workload(single(docs)), List.of(), null).status();
            case "deployment-pod" -> deploymentOf(pods(docs));
            case "job-pod" -> jobOf(pods(docs).get(0));
            default -> throw new AssertionError("line " + c.line() + ": unknown select " + c.select());
        };
        StatusCases.check(c, status);
    }

    private static JsonObject single(List<JsonObject> docs) {
        if (docs.size() != 1) {
            throw new AssertionError(docs.size() + " documents, one expected");
        }
        return docs.get(0);
    }

    private static KubernetesObject workload(JsonObject doc) {
        Class<? extends KubernetesObject> type = switch (doc.get("kind").getAsString()) {
            case "Deployment" -> V1Deployment.class;
            case "StatefulSet" -> V1StatefulSet.class;
            case "DaemonSet" -> V1DaemonSet.class;
            case "ReplicaSet" -> V1ReplicaSet.class;
            case "Job" -> V1Job.class;
            case "CronJob" -> V1CronJob.class;
            default -> throw new AssertionError("not a workload: " + doc.get("kind"));
        };
        return KubernetesJson.gson().fromJson(doc, type);
    }

    private static List<V1Pod> pods(List<JsonObject> docs) {
        List<V1Pod> pods = new ArrayList<>();
        for (JsonObject doc : docs) {
            if (doc.get("kind").getAsString().equals("List")) {
                doc.getAsJsonArray("items").forEach(i -> pods.add(KubernetesJson.gson().fromJson(i, V1Pod.class)));
            } else {
                pods.add(KubernetesJson.gson().fromJson(doc, V1Pod.class));
            }
        }
        return pods;
    }

    private static WorkloadStatus deploymentOf(List<V1Pod> pods) {
        int n = pods.size();
        int ready = (int) pods.stream().filter(p -> p.getStatus() != null && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True")))
                .count();
        var d = new V1Deployment().metadata(new V1ObjectMeta().name("owner").namespace("default"))
                .spec(new V1DeploymentSpec().replicas(n).template(template()))
                .status(new V1DeploymentStatus().replicas(n).updatedReplicas(n).readyReplicas(ready).availableReplicas(ready));
        return KubernetesWorkloadReader.toWorkload(d, pods, null).status();
    }

    private static WorkloadStatus jobOf(V1Pod pod) {
        String phase = pod.getStatus().getPhase();
        var status = new V1JobStatus();
        switch (phase) {
            case "Succeeded" -> status.succeeded(1).addConditionsItem(new V1JobCondition().type("Complete").status("True"));
            case "Failed" -> status.failed(1);
            default -> status.active(1);
        }
        var job = new V1Job().metadata(new V1ObjectMeta().name("owner").namespace("default"))
                .spec(new V1JobSpec().completions(1).parallelism(1).template(template())).status(status);
        return KubernetesWorkloadReader.toWorkload(job, List.of(pod), null).status();
    }

    private static V1PodTemplateSpec template() {
        return new V1PodTemplateSpec().spec(new V1PodSpec().containers(List.of(new V1Container().name("main").image("main:1"))));
    }
}
