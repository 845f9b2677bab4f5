package io.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.EngineException;
import io.gantry.spi.EngineMessages;
import io.gantry.spi.HealthCheck;
import io.gantry.spi.Instance;
import io.gantry.spi.InstanceState;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.Phase;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadNotFoundException;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1Scale;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1Status;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every object in the Kubernetes fixtures (testdata/fixtures) parses and maps to what it is. */
class KubernetesFixtureMappingTest {

    static List<Path> fixtureFiles() {
        List<Path> files = Fixtures.all();
        assertThat(files).as("fixture files").hasSizeGreaterThanOrEqualTo(30);
        return files;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtureFiles")
    void everyFixtureParsesAndMaps(Path file) {
        List<JsonObject> documents = Fixtures.documents(file);
        assertThat(documents).as(file + " documents").isNotEmpty();
        for (JsonObject doc : documents) {
            mapsToWhatItIs(doc);
        }
    }

    private static void mapsToWhatItIs(JsonObject doc) {
        String kind = doc.get("kind").getAsString();
        switch (kind) {
            case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet" -> {
                KubernetesObject object = parseWorkload(doc);
                Workload w = KubernetesWorkloadReader.toWorkload(object, List.of(), null);
                assertThat(w.nativeId()).isEqualTo(w.namespace() + "/" + kind + "/" + w.name());
                assertThat(w.kind()).isEqualTo(NativeKind.valueOf(kind).modelKind());
                assertThat(w.spec().image()).isNotBlank();
                assertThat(w.status().phase()).isNotNull();
                assertThat(w.nativeObject()).contains("\"kind\":\"" + kind + "\"");
            }
            case "Job", "CronJob" -> {
                Class<? extends KubernetesObject> type = kind.equals("Job") ? V1Job.class : V1CronJob.class;
                Workload w = KubernetesWorkloadReader.toWorkload(KubernetesJson.gson().fromJson(doc, type), List.of(), null);
                assertThat(w.kind()).isEqualTo(WorkloadKind.JOB);
                assertThat(w.spec().image()).isNotBlank();
                assertThat(w.status().phase()).isNotNull();
            }
            case "Pod" -> {
                Instance i = KubernetesPodRules.toInstance(KubernetesJson.gson().fromJson(doc, V1Pod.class));
                assertThat(i.id()).isNotBlank();
                assertThat(i.state()).isNotNull();
            }
            case "List" -> doc.getAsJsonArray("items").forEach(item -> mapsToWhatItIs(item.getAsJsonObject()));
            case "Service" -> {
                V1Service s = KubernetesJson.gson().fromJson(doc, V1Service.class);
                assertThat(s.getSpec().getPorts()).isNotEmpty();
            }
            case "Event" -> {
                EngineEvent e = KubernetesWorkloadReader.toEvent(KubernetesJson.gson().fromJson(doc, CoreV1Event.class),
                        "default/Deployment/x");
                assertThat(e.time()).isNotNull();
                assertThat(e.reason()).isNotBlank();
            }
            case "Status" -> {
                V1Status status = KubernetesJson.gson().fromJson(doc, V1Status.class);
                EngineException e = KubernetesErrors.toException(status, null);
                // the API server's own words, cut and cleaned as every engine answer is (issue 13)
                assertThat(e.getMessage()).contains(EngineMessages.sanitize(status.getMessage()));
            }
            case "ControllerRevision" -> {
                // the StatefulSet/DaemonSet history: its data holds a pod template (issue 17)
                var template = KubernetesRevisionReader.templateOf(
                        KubernetesJson.gson().fromJson(doc, io.kubernetes.client.openapi.models.V1ControllerRevision.class));
                assertThat(template.getSpec().getContainers().get(0).getImage()).isNotBlank();
            }
            case "Scale" -> {
                // the Scale subresource is not used (merge patch on spec.replicas instead); it must still parse
                V1Scale scale = KubernetesJson.gson().fromJson(doc, V1Scale.class);
                assertThat(scale.getSpec().getReplicas()).isNotNull();
                assertThat(scale.getStatus().getSelector()).isNotNull();
            }
            case "ConfigMap", "Secret" -> {
                // what the informers keep of it: keys, never values (issue 21)
                Class<? extends KubernetesObject> type = kind.equals("Secret")
                        ? io.kubernetes.client.openapi.models.V1Secret.class : io.kubernetes.client.openapi.models.V1ConfigMap.class;
                KubernetesObject kept = KubernetesConfigObjects.keysOnly(KubernetesJson.gson().fromJson(doc, type));
                assertThat(KubernetesConfigObjects.keysOf(kept)).isNotEmpty();
                assertThat(KubernetesJson.gson().toJson(kept)).doesNotContain(doc.getAsJsonObject("data").entrySet()
                        .iterator().next().getValue().getAsString());
            }
            case "PersistentVolumeClaim" -> {
                // beside a workload in a manifest; not read by Gantry
            }
            default -> throw new AssertionError("fixture of unexpected kind " + kind);
        }
    }

    private static KubernetesObject parseWorkload(JsonObject doc) {
        return switch (doc.get("kind").getAsString()) {
            case "Deployment" -> KubernetesJson.gson().fromJson(doc, V1Deployment.class);
            case "StatefulSet" -> KubernetesJson.gson().fromJson(doc, V1StatefulSet.class);
            case "DaemonSet" -> KubernetesJson.gson().fromJson(doc, V1DaemonSet.class);
            default -> KubernetesJson.gson().fromJson(doc, V1ReplicaSet.class);
        };
    }

    private static <T> T object(String file, Class<T> type) {
        return KubernetesJson.gson().fromJson(Fixtures.single(file), type);
    }

    @Test
    void runningDeploymentWithLimitsAndRequests() {
        V1Deployment d = object("real-cluster-objects/k9s_apps.v1.Deployment_icx-db.json", V1Deployment.class);
        Workload w = KubernetesWorkloadReader.toWorkload(d, List.of(), null);
        assertThat(w.nativeId()).isEqualTo(w.namespace() + "/Deployment/icx-db");
        assertThat(w.kind()).isEqualTo(WorkloadKind.SERVICE);
        assertThat(w.spec().image()).isEqualTo("postgres:9.2-alpine");
        // limits win over requests: 250m / 512Mi (the request is 256Mi)
        assertThat(w.spec().resources().cpuMillis()).isEqualTo(250L);
        assertThat(w.spec().resources().memoryBytes()).isEqualTo(512L * 1024 * 1024);
        assertThat(w.spec().ports()).extracting(p -> p.containerPort()).containsExactly(5432);
        assertThat(w.spec().replicas()).isEqualTo(1);
        assertThat(w.status().phase()).isEqualTo(Phase.RUNNING);
        assertThat(w.status().desired()).isEqualTo(1);
        assertThat(w.status().running()).isEqualTo(1);
    }

    @Test
    void deploymentMidRolloutIsDeploying() {
        V1Deployment d = object("real-cluster-objects/gitops-engine_deployment-progressing.yaml", V1Deployment.class);
        Workload w = KubernetesWorkloadReader.toWorkload(d, List.of(), null);
        // status.replicas 2 > updatedReplicas 1: the old pod is still terminating
        assertThat(w.status().phase()).isEqualTo(Phase.DEPLOYING);
        assertThat(w.createdAt()).isEqualTo(Instant.parse("2018-07-18T04:40:44Z"));
        assertThat(w.labels()).containsEntry("app.kubernetes.io/instance", "guestbook-default");
        assertThat(w.nativeObject()).doesNotContain("last-applied-configuration");
    }

    @Test
    void daemonSetListsSidecarAndUsesLivenessProbe() {
        V1DaemonSet d = object("real-cluster-objects/k9s_apps.v1.DaemonSet.json", V1DaemonSet.class);
        Workload w = KubernetesWorkloadReader.toWorkload(d, List.of(), null);
        assertThat(w.kind()).isEqualTo(WorkloadKind.DAEMON);
        assertThat(w.spec().image()).startsWith("gcr.io/stackdriver-agents/stackdriver-logging-agent");
        assertThat(w.labels()).containsEntry(KubernetesWorkloadMapper.SIDECARS_LABEL, "prometheus-to-sd-exporter");
        assertThat(w.spec().resources().cpuMillis()).isEqualTo(1000L);
        assertThat(w.spec().resources().memoryBytes()).isEqualTo(500L * 1024 * 1024);
        assertThat(w.spec().healthCheck()).isNotNull();
        assertThat(w.spec().replicas()).isNull();
        assertThat(w.status().desired()).isEqualTo(2);
        assertThat(w.status().phase()).isEqualTo(Phase.RUNNING);
    }

    @Test
    void onDeleteDaemonSetIsNotForeverRollingOut() {
        V1DaemonSet d = object("real-cluster-objects/gitops-engine_daemonset-ondelete.yaml", V1DaemonSet.class);
        Workload w = KubernetesWorkloadReader.toWorkload(d, List.of(), null);
        assertThat(w.status().phase()).isNotEqualTo(Phase.DEPLOYING);
        assertThat(w.spec().resources().cpuMillis()).isEqualTo(100L);
    }

    @Test
    void statefulSetWithEqualRevisionsIsRunning() {
        V1StatefulSet s = object("real-cluster-objects/k9s_apps.v1.StatefulSet_nginx-sts.json", V1StatefulSet.class);
        Workload w = KubernetesWorkloadReader.toWorkload(s, List.of(), null);
        assertThat(w.kind()).isEqualTo(WorkloadKind.STATEFUL);
        assertThat(w.spec().replicas()).isEqualTo(4);
        assertThat(w.status().running()).isEqualTo(4);
        assertThat(w.status().phase()).isEqualTo(Phase.RUNNING);
    }

    @Test
    void podsMapToInstanceStates() {
        Instance running = KubernetesPodRules.toInstance(object("real-cluster-objects/k9s_core.v1.Pod.json", V1Pod.class));
        assertThat(running.state()).isEqualTo(InstanceState.RUNNING);
        assertThat(running.node()).isEqualTo("minikube");
        assertThat(running.address()).startsWith("172.17.0.6");
        assertThat(running.message()).isEmpty();

        Instance failed = KubernetesPodRules.toInstance(object("real-cluster-objects/gitops-engine_pod-failed.yaml", V1Pod.class));
        assertThat(failed.state()).isEqualTo(InstanceState.FAILED);
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.message()).isEqualTo("Error");

        Instance pending = KubernetesPodRules.toInstance(object("real-cluster-objects/gitops-engine_pod-pending.yaml", V1Pod.class));
        assertThat(pending.state()).isEqualTo(InstanceState.STARTING);
        assertThat(pending.message()).isEqualTo("PodInitializing");

        Instance done = KubernetesPodRules.toInstance(object("real-cluster-objects/gitops-engine_pod-succeeded.yaml", V1Pod.class));
        assertThat(done.state()).isEqualTo(InstanceState.EXITED);
        assertThat(done.exitCode()).isEqualTo(0);
    }

    @Test
    void eventKeepsReasonTypeAndTime() {
        EngineEvent e = KubernetesWorkloadReader.toEvent(
                object("real-cluster-objects/k9s_core.v1.Event_Pulled.json", CoreV1Event.class), "default/Job/hello");
        assertThat(e.type()).isEqualTo(EngineEvent.NORMAL);
        assertThat(e.reason()).isEqualTo("Pulled");
        assertThat(e.time()).isEqualTo(Instant.parse("2019-08-30T20:43:05Z"));
        assertThat(e.message()).contains("Successfully pulled image");
        assertThat(e.workloadNativeId()).isEqualTo("default/Job/hello");
    }

    @Test
    void invalidStatusBecomesFieldErrors() {
        V1Status status = object("status-errors/kubectl-edit-testdata_Status_422_Invalid_two-causes.json", V1Status.class);
        EngineException e = KubernetesErrors.toException(status, null);
        assertThat(e).isInstanceOf(InvalidSpecException.class);
        assertThat(((InvalidSpecException) e).errors()).extracting(InvalidSpecException.FieldError::field)
                .containsExactly("spec.ports", "spec.clusterIP");
    }

    @Test
    void notFoundStatusOnAWorkloadIsWorkloadNotFound() {
        V1Status status = object("status-errors/java-client_Status_404_NotFound_jobs.json", V1Status.class);
        EngineException e = KubernetesErrors.toException(status, new WorkloadRef("default", NativeKind.Job, "bar"));
        assertThat(e).isInstanceOf(WorkloadNotFoundException.class);
        assertThat(((WorkloadNotFoundException) e).nativeId()).isEqualTo("default/Job/bar");
    }

    @Test
    void containerFieldPathsBecomeModelPaths() {
        assertThat(KubernetesErrors.modelField("spec.template.spec.containers[0].image", false)).isEqualTo("spec.image");
        assertThat(KubernetesErrors.modelField("spec.template.spec.containers[0].ports[1].containerPort", false))
                .isEqualTo("spec.ports[1].containerPort");
        assertThat(KubernetesErrors.modelField("spec.template.spec.containers[0].resources.limits[memory]", false))
                .isEqualTo("spec.resources.memoryBytes");
        assertThat(KubernetesErrors.modelField("metadata.name", false)).isEqualTo("name");
    }

    @Test
    void failedJobIsFailedEvenWhenItsPodsAreGone() {
        var job = new io.kubernetes.client.openapi.models.V1Job()
                .metadata(new io.kubernetes.client.openapi.models.V1ObjectMeta().name("migrate").namespace("db"))
                .spec(new io.kubernetes.client.openapi.models.V1JobSpec().template(
                        new io.kubernetes.client.openapi.models.V1PodTemplateSpec().spec(
                                new io.kubernetes.client.openapi.models.V1PodSpec().containers(List.of(
                                        new io.kubernetes.client.openapi.models.V1Container().name("m").image("flyway:10"))))))
                .status(new io.kubernetes.client.openapi.models.V1JobStatus().failed(6).addConditionsItem(
                        new io.kubernetes.client.openapi.models.V1JobCondition().type("Failed").status("True")
                                .reason("BackoffLimitExceeded").message("Job has reached the specified backoff limit")));
        Workload w = KubernetesWorkloadReader.toWorkload(job, List.of(), null);
        assertThat(w.nativeId()).isEqualTo("db/Job/migrate");
        assertThat(w.status().phase()).isEqualTo(Phase.FAILED);
        assertThat(w.status().message()).contains("BackoffLimitExceeded");
    }

    @Test
    void healthCheckFromNamedProbePort() {
        var c = new io.kubernetes.client.openapi.models.V1Container().name("c").image("nginx")
                .addPortsItem(new io.kubernetes.client.openapi.models.V1ContainerPort().name("http").containerPort(8080))
                .readinessProbe(new io.kubernetes.client.openapi.models.V1Probe().periodSeconds(5)
                        .httpGet(new io.kubernetes.client.openapi.models.V1HTTPGetAction().path("/healthz")
                                .port(new io.kubernetes.client.custom.IntOrString("http"))));
        var d = new V1Deployment().metadata(new io.kubernetes.client.openapi.models.V1ObjectMeta().name("x").namespace("n"))
                .spec(new io.kubernetes.client.openapi.models.V1DeploymentSpec().replicas(1)
                        .template(new io.kubernetes.client.openapi.models.V1PodTemplateSpec()
                                .spec(new io.kubernetes.client.openapi.models.V1PodSpec().containers(List.of(c)))));
        Workload w = KubernetesWorkloadReader.toWorkload(d, List.of(), null);
        assertThat(w.spec().healthCheck()).isEqualTo(new HealthCheck(HealthCheck.Type.HTTP, "/healthz", 8080, List.of(), 5, null));
        assertThat(w.spec().env()).isEqualTo(Map.of());
    }
}
