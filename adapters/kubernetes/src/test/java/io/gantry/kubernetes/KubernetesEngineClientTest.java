package io.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.EngineInfo;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InstanceState;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.LogLine;
import io.gantry.spi.LogSink;
import io.gantry.spi.Node;
import io.gantry.spi.Phase;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Resources;
import io.gantry.spi.Subscription;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The adapter against fabric8's mock API server with the test controller: the "done when" list. */
class KubernetesEngineClientTest {
    private static final Duration SETTLE = Duration.ofSeconds(15);
    @RegisterExtension
    static final EmulatedEngine engine = new EmulatedEngine();
    private static EmulatedCluster cluster;
    private static EngineClient client;

    @BeforeAll
    static void start() {
        cluster = engine.cluster();
        client = engine.client();
    }

    @AfterEach
    void reset() {
        cluster.front.allowAll();
    }

    @Test
    void objectsCreatedInTheApiServerAppearWithKindReplicasResourcesPortsAndPhase() {
        String ns = "direct";
        PodTemplateSpec web = template("web", "nginx:1.27", "1.5", "1G", 8080, true);
        cluster.fabric8.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder()
                .withNewMetadata().withName("web").withNamespace(ns).addToLabels("app", "web").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withTemplate(web).endSpec().build()).create();
        cluster.fabric8.apps().statefulSets().inNamespace(ns).resource(new StatefulSetBuilder()
                .withNewMetadata().withName("db").withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(2).withServiceName("db").withNewSelector().addToMatchLabels("app", "db").endSelector()
                .withTemplate(template("db", "postgres:16", "500m", "256Mi", 5432, false)).endSpec().build()).create();
        cluster.fabric8.apps().daemonSets().inNamespace(ns).resource(new DaemonSetBuilder()
                .withNewMetadata().withName("agent").withNamespace(ns).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "agent").endSelector()
                .withTemplate(template("agent", "fluentd:2", "0.25", "128974848", 24224, false)).endSpec().build()).create();

        await("all three running", () -> {
            List<Workload> all = client.listWorkloads();
            return all.stream().filter(w -> w.namespace().equals(ns) && w.status().phase() == Phase.RUNNING).count() == 3;
        });
        Workload deployment = client.getWorkload(ns + "/Deployment/web").orElseThrow();
        assertThat(deployment.kind()).isEqualTo(WorkloadKind.SERVICE);
        assertThat(deployment.spec().replicas()).isEqualTo(2);
        assertThat(deployment.spec().resources()).isEqualTo(new Resources(1500L, 1_000_000_000L));
        assertThat(deployment.spec().ports()).containsExactly(new PortMapping(8080, null, "tcp"));
        assertThat(deployment.labels()).containsEntry(KubernetesWorkloadMapper.SIDECARS_LABEL, "proxy");
        assertThat(deployment.status().running()).isEqualTo(2);
        assertThat(deployment.instances()).hasSize(2).allSatisfy(i -> {
            assertThat(i.state()).isEqualTo(InstanceState.RUNNING);
            assertThat(i.node()).isIn(TestController.NODES);
            assertThat(i.address()).endsWith(":8080");
        });

        Workload sts = client.getWorkload(ns + "/StatefulSet/db").orElseThrow();
        assertThat(sts.kind()).isEqualTo(WorkloadKind.STATEFUL);
        assertThat(sts.spec().resources()).isEqualTo(new Resources(500L, 256L * 1024 * 1024));
        assertThat(sts.instances()).extracting(i -> i.id()).containsExactlyInAnyOrder("db-0", "db-1");

        Workload ds = client.getWorkload(ns + "/DaemonSet/agent").orElseThrow();
        assertThat(ds.kind()).isEqualTo(WorkloadKind.DAEMON);
        assertThat(ds.spec().replicas()).isNull();
        assertThat(ds.status().desired()).isEqualTo(TestController.NODES.size());
        assertThat(ds.spec().resources()).isEqualTo(new Resources(250L, 128974848L));
        assertThatThrownBy(() -> client.scale(ds.nativeId(), 3)).isInstanceOf(UnsupportedCapabilityException.class);
    }

    @Test
    void cronJobIsAJobWithItsScheduleAndTheInstancesOfItsJobs() {
        String ns = "batch";
        var podTemplate = template("report", "busybox:1.36", "100m", "32Mi", 8000, false);
        podTemplate.getSpec().setRestartPolicy("Never");
        var cron = cluster.fabric8.batch().v1().cronjobs().inNamespace(ns).resource(new CronJobBuilder()
                .withNewMetadata().withName("report").withNamespace(ns).endMetadata()
                .withNewSpec().withSchedule("*/5 * * * *").withNewJobTemplate().withNewSpec().withTemplate(podTemplate)
                .endSpec().endJobTemplate().endSpec().build()).create();
        var job = cluster.fabric8.batch().v1().jobs().inNamespace(ns).resource(new JobBuilder()
                .withNewMetadata().withName("report-29000000").withNamespace(ns)
                .withOwnerReferences(new OwnerReferenceBuilder().withKind("CronJob")
                        .withApiVersion("batch/v1").withName("report").withUid(cron.getMetadata().getUid()).withController(true).build())
                .endMetadata().withNewSpec().withTemplate(podTemplate).endSpec().build()).create();
        cluster.fabric8.pods().inNamespace(ns).resource(new PodBuilder()
                .withNewMetadata().withName("report-29000000-x1").withNamespace(ns)
                .withOwnerReferences(new OwnerReferenceBuilder().withKind("Job")
                        .withApiVersion("batch/v1").withName(job.getMetadata().getName()).withController(true).build())
                .endMetadata().withSpec(podTemplate.getSpec()).editSpec().withNodeName("node-a").endSpec()
                .withNewStatus().withPhase("Succeeded").endStatus().build()).create();
        cluster.fabric8.batch().v1().jobs().inNamespace(ns).resource(new JobBuilder()
                .withNewMetadata().withName("migrate").withNamespace(ns).endMetadata()
                .withNewSpec().withParallelism(2).withTemplate(podTemplate).endSpec().build()).create();

        // the list reads the informers' cache, which the watch fills a moment after the writes above
        await("both listed", () -> client.listWorkloads().stream().filter(w -> w.namespace().equals(ns)).count() == 2);
        List<Workload> batch = client.listWorkloads().stream().filter(w -> w.namespace().equals(ns)).toList();
        assertThat(batch).extracting(Workload::nativeId).containsExactlyInAnyOrder("batch/CronJob/report", "batch/Job/migrate");
        Workload cronJob = client.getWorkload("batch/CronJob/report").orElseThrow();
        assertThat(cronJob.kind()).isEqualTo(WorkloadKind.JOB);
        assertThat(cronJob.labels()).containsEntry(KubernetesWorkloadMapper.SCHEDULE_LABEL, "*/5 * * * *");
        assertThat(cronJob.instances()).singleElement().satisfies(i -> assertThat(i.state()).isEqualTo(InstanceState.EXITED));
        Workload migrate = batch.stream().filter(w -> w.name().equals("migrate")).findFirst().orElseThrow();
        assertThat(migrate.kind()).isEqualTo(WorkloadKind.JOB);
        assertThat(migrate.spec().replicas()).isEqualTo(2);
        assertThatThrownBy(() -> client.restart("batch/CronJob/report"))
                .isInstanceOf(UnsupportedCapabilityException.class);
    }

    @Test
    void crashLoopingContainerMakesTheWorkloadFailedWithTheReason() {
        Workload w = client.deploy(definition("crashy", "example/crash:1", 1, List.of()));
        await("failed", () -> client.getWorkload(w.nativeId()).map(x -> x.status().phase() == Phase.FAILED).orElse(false));
        Workload failed = client.getWorkload(w.nativeId()).orElseThrow();
        assertThat(failed.instances()).singleElement().satisfies(i -> {
            assertThat(i.state()).isEqualTo(InstanceState.FAILED);
            assertThat(i.message()).contains("CrashLoopBackOff").contains("restarts 4");
        });
        assertThat(failed.status().message()).contains("CrashLoopBackOff");
        await("BackOff event", () -> client.events(w.nativeId(), 10).stream()
                .anyMatch(e -> e.type().equals(EngineEvent.WARNING) && e.reason().equals("BackOff")));
        client.delete(w.nativeId());
    }

    @Test
    void oneCrashLoopingPodOfTwoMakesTheDeploymentDegradedNamingTheReasonAndHowMany() {
        Workload w = client.deploy(definition("half", "example/crash-first:1", 2, List.of()));
        await("degraded", () -> client.getWorkload(w.nativeId()).map(x -> x.status().phase() == Phase.DEGRADED).orElse(false));
        Workload degraded = client.getWorkload(w.nativeId()).orElseThrow();
        assertThat(degraded.status().message()).contains("CrashLoopBackOff on 1 of 2 instances");
        assertThat(degraded.instances()).extracting(i -> i.reason()).containsExactlyInAnyOrder("CrashLoopBackOff", "");
        client.delete(w.nativeId());
    }

    @Test
    void pausedDeploymentIsPausedWhateverItsCounts() {
        Workload w = client.deploy(definition("held", "nginx:1.27", 1, List.of()));
        await("running", () -> client.getWorkload(w.nativeId()).map(x -> x.status().phase() == Phase.RUNNING).orElse(false));
        retryOnConflict(() -> cluster.fabric8.apps().deployments().inNamespace("gantry").withName("held")
                .edit(d -> { d.getSpec().setPaused(true); return d; }));
        await("paused", () -> client.getWorkload(w.nativeId()).map(x -> x.status().phase() == Phase.PAUSED).orElse(false));
        assertThat(client.getWorkload(w.nativeId()).orElseThrow().status().message()).contains("rollout paused");
        client.delete(w.nativeId());
    }

    @Test
    void rolloutPastItsProgressDeadlineIsFailedWithTheControllersWords() {
        Workload w = client.deploy(definition("late", "example/crash:2", 1, List.of()));
        retryOnConflict(() -> cluster.fabric8.apps().deployments().inNamespace("gantry").withName("late")
                .edit(d -> { d.getSpec().setProgressDeadlineSeconds(1); return d; }));
        await("deadline exceeded", () -> client.getWorkload(w.nativeId())
                .map(x -> x.status().phase() == Phase.FAILED && x.status().message().contains("ProgressDeadlineExceeded"))
                .orElse(false));
        assertThat(client.getWorkload(w.nativeId()).orElseThrow().status().message())
                .contains("has timed out progressing").contains("CrashLoopBackOff on 1 of 1 instance");
        client.delete(w.nativeId());
    }

    @Test
    void deployScaleRestartUpdateAndDeleteAreVisibleInTheApiServer() {
        Workload w = client.deploy(definition("shop", "nginx:1.27", 1, List.of(new PortMapping(80, 30080, "tcp"))));
        assertThat(w.nativeId()).isEqualTo("gantry/Deployment/shop");
        Deployment d = cluster.fabric8.apps().deployments().inNamespace("gantry").withName("shop").get();
        assertThat(d.getApiVersion()).isEqualTo("apps/v1");
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits())
                .containsEntry("cpu", new Quantity("500m")).containsEntry("memory", new Quantity("256Mi"));
        var service = cluster.fabric8.services().inNamespace("gantry").withName("shop").get();
        assertThat(service.getSpec().getType()).isEqualTo("NodePort");
        assertThat(service.getSpec().getPorts().get(0).getNodePort()).isEqualTo(30080);
        await("published port read back", () -> client.getWorkload(w.nativeId())
                .map(x -> x.spec().ports().equals(List.of(new PortMapping(80, 30080, "tcp")))).orElse(false));

        client.scale(w.nativeId(), 3);
        assertThat(cluster.fabric8.apps().deployments().inNamespace("gantry").withName("shop").get().getSpec().getReplicas())
                .isEqualTo(3);

        client.restart(w.nativeId());
        assertThat(cluster.fabric8.apps().deployments().inNamespace("gantry").withName("shop").get()
                .getSpec().getTemplate().getMetadata().getAnnotations()).containsKey("kubectl.kubernetes.io/restartedAt");

        // a sidecar added outside Gantry survives Gantry's update (the containers list is patched whole)
        retryOnConflict(() -> cluster.fabric8.apps().deployments().inNamespace("gantry").withName("shop").edit(x -> {
            x.getSpec().getTemplate().getSpec().getContainers().add(new ContainerBuilder().withName("proxy").withImage("envoy:1").build());
            return x;
        }));
        client.update(w.nativeId(), new WorkloadSpec("nginx:1.28", null, null, Map.of(), List.of(PortMapping.tcp(80)),
                new Resources(250L, null), 3, null, List.of("node.labels.zone==a"), null));
        Deployment updated = cluster.fabric8.apps().deployments().inNamespace("gantry").withName("shop").get();
        var containers = updated.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).extracting(c -> c.getName() + "=" + c.getImage()).containsExactly("shop=nginx:1.28", "proxy=envoy:1");
        assertThat(containers.get(0).getResources().getLimits()).containsOnlyKeys("cpu");
        assertThat(updated.getSpec().getTemplate().getSpec().getNodeSelector()).containsEntry("zone", "a");
        assertThat(cluster.fabric8.services().inNamespace("gantry").withName("shop").get())
                .as("the Service goes when no port is published any more").isNull();

        client.delete(w.nativeId());
        assertThat(cluster.fabric8.apps().deployments().inNamespace("gantry").withName("shop").get()).isNull();
        assertThat(cluster.front.deleteBodies()).anyMatch(b -> b.contains("/deployments/shop") && b.contains("\"Foreground\""));
    }

    @Test
    void statefulAndDaemonWorkloadsDeployAsTheirControllers() {
        Workload sts = client.deploy(new WorkloadDefinition("gantry", "cache", WorkloadKind.STATEFUL, Map.of(),
                WorkloadSpec.of("redis:7", 2)));
        Workload ds = client.deploy(new WorkloadDefinition("gantry", "collector", WorkloadKind.DAEMON, Map.of(),
                WorkloadSpec.of("otel/collector:0.100", null)));
        assertThat(sts.nativeId()).isEqualTo("gantry/StatefulSet/cache");
        assertThat(ds.nativeId()).isEqualTo("gantry/DaemonSet/collector");
        var statefulSet = cluster.fabric8.apps().statefulSets().inNamespace("gantry").withName("cache").get();
        assertThat(statefulSet.getSpec().getServiceName()).isEqualTo("cache");
        assertThat(statefulSet.getSpec().getReplicas()).isEqualTo(2);
        await("both running", () -> client.getWorkload(sts.nativeId()).map(w -> w.status().phase() == Phase.RUNNING).orElse(false)
                && client.getWorkload(ds.nativeId()).map(w -> w.status().phase() == Phase.RUNNING).orElse(false));
        assertThat(client.getWorkload(ds.nativeId()).orElseThrow().instances()).extracting(i -> i.node())
                .containsExactlyInAnyOrderElementsOf(TestController.NODES);
        client.restart(ds.nativeId());
        assertThat(cluster.fabric8.apps().daemonSets().inNamespace("gantry").withName("collector").get()
                .getSpec().getTemplate().getMetadata().getAnnotations()).containsKey("kubectl.kubernetes.io/restartedAt");
        client.delete(sts.nativeId());
        client.delete(ds.nativeId());
        await("gone", () -> client.getWorkload(sts.nativeId()).isEmpty() && client.getWorkload(ds.nativeId()).isEmpty());
    }

    @Test
    void watchDeliversAChangeMadeInTheApiServer() {
        RecordingListener recorder = new RecordingListener();
        List<EngineChange> seen = recorder.changes();
        try (Subscription ignored = client.watch(recorder)) {
            // through the watch: nothing re-lists while it is healthy. The bound is generous for a busy machine;
            // delivery time is not a test's figure.
            cluster.fabric8.apps().deployments().inNamespace("live").resource(new DeploymentBuilder()
                    .withNewMetadata().withName("fast").withNamespace("live").endMetadata()
                    .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "fast").endSelector()
                    .withTemplate(template("fast", "nginx:1.27", "100m", "64Mi", 80, false)).endSpec().build()).create();
            await("changed", () -> seen.stream().anyMatch(c -> changed(c, "live/Deployment/fast")), Duration.ofSeconds(15));
            await("running through the watch", () -> seen.stream().anyMatch(c -> c instanceof EngineChange.WorkloadChanged wc
                    && wc.workload().nativeId().equals("live/Deployment/fast") && wc.workload().status().phase() == Phase.RUNNING));
            await("event observed", () -> seen.stream().anyMatch(c -> c instanceof EngineChange.EventObserved eo
                    && eo.event().workloadNativeId().equals("live/Deployment/fast") && eo.event().reason().equals("ScalingReplicaSet")));
            cluster.fabric8.apps().deployments().inNamespace("live").withName("fast").delete();
            await("removed", () -> seen.stream().anyMatch(c -> c instanceof EngineChange.WorkloadRemoved r
                    && r.nativeId().equals("live/Deployment/fast")));
        }
    }

    @Test
    void resyncPeriodRedeliversUnchangedWorkloads() {
        // no controller touches CronJobs: any delivery for this one comes from the periodic resync
        var podTemplate = template("nightly", "busybox:1.36", "100m", "32Mi", 8000, false);
        cluster.fabric8.batch().v1().cronjobs().inNamespace("quiet").resource(new CronJobBuilder()
                .withNewMetadata().withName("nightly").withNamespace("quiet").endMetadata()
                .withNewSpec().withSchedule("0 3 * * *").withNewJobTemplate().withNewSpec().withTemplate(podTemplate)
                .endSpec().endJobTemplate().endSpec().build()).create();
        RecordingListener recorder = new RecordingListener();
        List<EngineChange> seen = recorder.changes();
        try (EngineClient fresh = new KubernetesEngineAdapter().connect(cluster.connection(Map.of("resyncSeconds", "1")));
             Subscription ignored = fresh.watch(recorder)) {
            await("delivered twice by resync", () -> seen.stream().filter(c -> changed(c, "quiet/CronJob/nightly")).count() >= 2,
                    Duration.ofSeconds(4));
        }
    }

    @Test
    void expiredWatchRelistsAndAsksForAResync() {
        cluster.front.expireNextDeploymentWatches("expiring-watch-token", 1);
        int watchesBefore = cluster.front.watchRequests();
        RecordingListener recorder = new RecordingListener();
        List<EngineChange> seen = recorder.changes();
        try (EngineClient fresh = new KubernetesEngineAdapter()
                .connect(cluster.connection(Map.of(), Duration.ofSeconds(5), "expiring-watch-token"));
             Subscription ignored = fresh.watch(recorder)) {
            await("resync asked", () -> seen.stream().anyMatch(c -> c instanceof EngineChange.ResyncRequired r
                    && r.reason().contains("410")));
            Workload w = client.deploy(definition("after-gone", "nginx:1.27", 1, List.of()));
            await("change after re-list", () -> seen.stream().anyMatch(c -> changed(c, w.nativeId())));
            assertThat(cluster.front.watchRequests() - watchesBefore)
                    .as("the deployments watch was opened again after 410").isGreaterThan(ResourceType.values().length);
            client.delete(w.nativeId());
        }
    }

    @Test
    void forbiddenResourceMakesTheEngineDegradedNamingThePermission() {
        Workload w = client.deploy(definition("visible", "nginx:1.27", 1, List.of()));
        cluster.front.forbid("statefulsets");
        try (EngineClient fresh = new KubernetesEngineAdapter().connect(cluster.connection(Map.of()))) {
            EngineInfo info = fresh.ping();
            assertThat(info.degraded()).isTrue();
            assertThat(info.version()).isEqualTo("v1.33.0-emulated");
            assertThat(info.message()).isEqualTo("cannot list statefulsets.apps in all namespaces");
            assertThat(fresh.listWorkloads()).extracting(Workload::nativeId).contains(w.nativeId());
        } finally {
            cluster.front.allowAll();
            client.delete(w.nativeId());
        }
    }

    @Test
    void anApiTheServerDoesNotServeDegradesToo() {
        // batch/v1 CronJobs arrived in Kubernetes 1.21: an older server answers 404 for the whole collection
        cluster.front.answerNext("GET", "/cronjobs", "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                + "\"message\":\"the server could not find the requested resource\",\"reason\":\"NotFound\",\"code\":404}", 2);
        try (EngineClient fresh = new KubernetesEngineAdapter().connect(cluster.connection(Map.of()))) {
            EngineInfo info = fresh.ping();
            assertThat(info.degraded()).isTrue();
            assertThat(info.message()).isEqualTo("the API server does not serve cronjobs.batch");
            assertThat(fresh.listWorkloads()).isNotNull();
        } finally {
            cluster.front.answerNext("GET", "/cronjobs", "", 0);
        }
    }

    @Test
    void unreachableApiServerIsUnavailableThenTheWatchResyncs() throws Exception {
        RecordingListener recorder = new RecordingListener();
        List<EngineChange> seen = recorder.changes();
        List<Throwable> failures = recorder.failures();
        try (EngineClient fresh = new KubernetesEngineAdapter().connect(cluster.connection(Map.of()));
             Subscription ignored = fresh.watch(recorder)) {
            cluster.front.stop();
            // refused at once; the bound only turns a hang into a failure
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                assertThatThrownBy(fresh::ping).isInstanceOf(EngineUnavailableException.class);
                assertThatThrownBy(fresh::listWorkloads).isInstanceOf(EngineUnavailableException.class);
            });
            // without it, the server would ping (and find the engine DOWN) only at its next periodic resync
            await("resync asked as soon as the watch loses the server", () -> seen.stream().anyMatch(c ->
                    c instanceof EngineChange.ResyncRequired r && r.reason().contains("failed")), Duration.ofSeconds(15));
            cluster.front.restart();
            await("resync after the gap", () -> seen.stream().anyMatch(c -> c instanceof EngineChange.ResyncRequired r
                    && r.reason().contains("reconnected")));
            assertThat(fresh.ping().degraded()).isFalse();
            assertThat(failures).isEmpty();
        }
    }

    @Test
    void everyCallIsBoundedByTheCallTimeout() {
        try (EngineClient impatient = new KubernetesEngineAdapter().connect(
                cluster.connection(Map.of(), Duration.ofSeconds(1)))) {
            // the server would answer after two minutes: only the 1 s call timeout can end a call before the 30 s
            // bound, which is generous for a busy machine (how long a call takes is not a test's figure)
            cluster.front.stallFor(Duration.ofMinutes(2));
            for (Runnable call : List.<Runnable>of(impatient::ping, impatient::listWorkloads,
                    () -> impatient.scale("gantry/Deployment/any", 2))) {
                assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                        assertThatThrownBy(call::run).isInstanceOf(EngineUnavailableException.class));
            }
        } finally {
            cluster.front.allowAll();
        }
    }

    @Test
    void badInputIsRejectedNamingTheField() {
        assertThatThrownBy(() -> client.deploy(definition("Bad_Name", "nginx", 1, List.of())))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors()).singleElement()
                        .extracting(InvalidSpecException.FieldError::field).isEqualTo("name"));
        assertThatThrownBy(() -> client.deploy(new WorkloadDefinition("gantry", "job", WorkloadKind.JOB, Map.of(),
                WorkloadSpec.of("busybox", 1)))).isInstanceOfSatisfying(InvalidSpecException.class,
                e -> assertThat(e.errors().get(0).field()).isEqualTo("kind"));
        assertThatThrownBy(() -> client.deploy(new WorkloadDefinition("gantry", "placed", WorkloadKind.SERVICE, Map.of(),
                new WorkloadSpec("nginx", null, null, null, null, null, 1, null, List.of("node.hostname!=x"), null))))
                .isInstanceOfSatisfying(InvalidSpecException.class,
                        e -> assertThat(e.errors().get(0).field()).isEqualTo("spec.constraints[0]"));
        try (EngineClient limited = new KubernetesEngineAdapter().connect(cluster.connection(Map.of("namespaces", "team-a")))) {
            assertThatThrownBy(() -> limited.deploy(new WorkloadDefinition("team-b", "x", WorkloadKind.SERVICE, Map.of(),
                    WorkloadSpec.of("nginx", 1)))).isInstanceOfSatisfying(InvalidSpecException.class,
                    e -> assertThat(e.errors().get(0).field()).isEqualTo("namespace"));
        }
        Workload w = client.deploy(definition("twice", "nginx:1.27", 1, List.of()));
        assertThatThrownBy(() -> client.deploy(definition("twice", "nginx:1.27", 1, List.of())))
                .isInstanceOf(EngineConflictException.class).hasMessageContaining("already exists");
        client.delete(w.nativeId());
    }

    @Test
    void checkDeployRejectsWhatDeployWouldAndAMissingNamespaceCreatingNothing() {
        cluster.fabric8.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("checked").endMetadata()
                .build()).create();
        client.checkDeploy(new WorkloadDefinition("checked", "fine", WorkloadKind.SERVICE, Map.of(), WorkloadSpec.of("nginx", 1)));
        assertThatThrownBy(() -> client.checkDeploy(new WorkloadDefinition("checked", "Not_DNS", WorkloadKind.SERVICE, Map.of(),
                WorkloadSpec.of("nginx", 1)))).isInstanceOfSatisfying(InvalidSpecException.class,
                e -> assertThat(e.errors()).extracting(InvalidSpecException.FieldError::field).containsExactly("name"));
        assertThatThrownBy(() -> client.checkDeploy(new WorkloadDefinition("no-such-ns", "fine", WorkloadKind.SERVICE, Map.of(),
                WorkloadSpec.of("nginx", 1)))).isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.errors()).extracting(InvalidSpecException.FieldError::field).containsExactly("namespace");
                    assertThat(e.getMessage()).contains("'no-such-ns' does not exist");
                });
        // credentials scoped to namespaces may not read Namespace objects: the create will tell
        cluster.front.forbid("namespaces/no-such-ns");
        client.checkDeploy(new WorkloadDefinition("no-such-ns", "fine", WorkloadKind.SERVICE, Map.of(), WorkloadSpec.of("nginx", 1)));
        assertThat(cluster.fabric8.apps().deployments().inAnyNamespace().list().getItems())
                .noneMatch(d -> d.getMetadata().getName().equals("fine") || d.getMetadata().getName().equals("Not_DNS"));
    }

    @Test
    void apiServerRejectionsBecomeFieldErrors() throws Exception {
        cluster.front.answerNext("POST", "/deployments", "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                + "\"message\":\"namespaces \\\"nowhere\\\" not found\",\"reason\":\"NotFound\","
                + "\"details\":{\"name\":\"nowhere\",\"kind\":\"namespaces\"},\"code\":404}", 1);
        assertThatThrownBy(() -> client.deploy(new WorkloadDefinition("nowhere", "app", WorkloadKind.SERVICE, Map.of(),
                WorkloadSpec.of("nginx:1.27", 1)))).isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.errors().get(0).field()).isEqualTo("namespace");
                    assertThat(e.getMessage()).contains("does not exist");
                });

        // the Service is refused with the real 422 body: the Deployment created just before is taken back
        cluster.front.answerNext("POST", "/services", Files.readString(
                Fixtures.file("status-errors/kubectl-edit-testdata_Status_422_Invalid_one-cause.json")), 1);
        assertThatThrownBy(() -> client.deploy(definition("refused", "nginx:1.27", 1, List.of(new PortMapping(80, 8080, "tcp")))))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors())
                        .extracting(InvalidSpecException.FieldError::field).containsExactly("spec.ports"));
        assertThat(cluster.fabric8.apps().deployments().inNamespace("gantry").withName("refused").get()).isNull();
    }

    /** Scale and restart carry no precondition, but a server may still refuse a write that raced a controller's. */
    @Test
    void scaleAndRestartRetryAConflictAndReportOneThatPersists() {
        Workload w = client.deploy(definition("raced", "nginx:1.27", 1, List.of()));
        String conflict = conflictOn("raced");
        cluster.front.answerNext("PATCH", "/deployments/raced", conflict, 2);
        client.scale(w.nativeId(), 3);
        assertThat(cluster.fabric8.apps().deployments().inNamespace("gantry").withName("raced").get()
                .getSpec().getReplicas()).isEqualTo(3);
        cluster.front.answerNext("PATCH", "/deployments/raced", conflict, 2);
        client.restart(w.nativeId());
        assertThat(cluster.fabric8.apps().deployments().inNamespace("gantry").withName("raced").get()
                .getSpec().getTemplate().getMetadata().getAnnotations()).containsKey("kubectl.kubernetes.io/restartedAt");
        cluster.front.answerNext("PATCH", "/deployments/raced", conflict, 10);
        assertThatThrownBy(() -> client.scale(w.nativeId(), 4))
                .isInstanceOf(EngineConflictException.class).hasMessageContaining("has been modified");
        cluster.front.answerNext("PATCH", "/deployments/raced", conflict, 0);
        client.delete(w.nativeId());
    }

    @Test
    void updateRetriesAConflictAndReportsOneThatPersists() {
        Workload w = client.deploy(definition("contended", "nginx:1.27", 1, List.of()));
        String conflict = conflictOn("contended");
        cluster.front.answerNext("PATCH", "/deployments/contended", conflict, 2);
        client.update(w.nativeId(), WorkloadSpec.of("nginx:1.28", 1));
        assertThat(cluster.fabric8.apps().deployments().inNamespace("gantry").withName("contended").get()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1.28");
        cluster.front.answerNext("PATCH", "/deployments/contended", conflict, 10);
        assertThatThrownBy(() -> client.update(w.nativeId(), WorkloadSpec.of("nginx:1.29", 1)))
                .isInstanceOf(EngineConflictException.class).hasMessageContaining("has been modified");
        cluster.front.answerNext("PATCH", "/deployments/contended", conflict, 0);
        client.delete(w.nativeId());
    }

    @Test
    void namespaceAllowListHidesOtherNamespaces() {
        Workload inside = client.deploy(new WorkloadDefinition("team-a", "api", WorkloadKind.SERVICE, Map.of(),
                WorkloadSpec.of("nginx:1.27", 1)));
        Workload outside = client.deploy(new WorkloadDefinition("team-b", "api", WorkloadKind.SERVICE, Map.of(),
                WorkloadSpec.of("nginx:1.27", 1)));
        try (EngineClient limited = new KubernetesEngineAdapter().connect(cluster.connection(Map.of("namespaces", "team-a")))) {
            assertThat(limited.listWorkloads()).extracting(Workload::nativeId)
                    .contains(inside.nativeId()).doesNotContain(outside.nativeId());
            assertThat(limited.getWorkload(outside.nativeId())).isEmpty();
        } finally {
            client.delete(inside.nativeId());
            client.delete(outside.nativeId());
        }
    }

    @Test
    void logsOfEveryPodMergedByTimeAndFollowed() throws Exception {
        Workload w = client.deploy(definition("talker", "nginx:1.27", 2, List.of()));
        await("two pods", () -> client.getWorkload(w.nativeId()).map(x -> x.instances().size() == 2).orElse(false));
        List<LogLine> lines = client.logs(w.nativeId(), 2);
        assertThat(lines).hasSize(4);
        assertThat(lines).extracting(LogLine::time).isSorted();
        assertThat(lines).extracting(LogLine::instance).containsOnly(
                client.getWorkload(w.nativeId()).orElseThrow().instances().stream().map(i -> i.id()).toArray(String[]::new));
        assertThat(lines).allSatisfy(l -> assertThat(l.text()).startsWith("line ").doesNotContain("Z "));

        List<LogLine> followed = new CopyOnWriteArrayList<>();
        AtomicReference<String> end = new AtomicReference<>();
        Subscription follow = client.followLogs(w.nativeId(), 1, new LogSink() {
            @Override
            public void onLine(LogLine line) {
                followed.add(line);
            }

            @Override
            public void onEnd(Throwable failure) {
                end.set(failure == null ? "ok" : failure.toString());
            }
        });
        await("new lines while following", () -> followed.stream().anyMatch(l -> l.text().startsWith("line 4 ")));
        follow.close();
        // the streams may end on their own while close() runs; onEnd then comes from a reader thread
        await("the follow ended", () -> end.get() != null);
        assertThat(end.get()).isEqualTo("ok");
        client.delete(w.nativeId());
    }

    @Test
    void nodesWithAllocatableResources() {
        List<Node> nodes = client.listNodes();
        assertThat(nodes).extracting(Node::name).containsExactlyInAnyOrderElementsOf(TestController.NODES);
        assertThat(nodes).allSatisfy(n -> {
            assertThat(n.status()).isEqualTo("READY");
            assertThat(n.role()).isEqualTo("worker");
            assertThat(n.cpuMillis()).isEqualTo(4000L);
            assertThat(n.memoryBytes()).isEqualTo(8L * 1024 * 1024 * 1024);
            assertThat(n.address()).startsWith("10.0.0.");
        });
    }

    @Test
    void kubeconfigCredentialConnectsToItsCurrentContext() {
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: emulated
                  cluster:
                    server: %s
                users:
                - name: gantry
                  user:
                    token: test-token
                contexts:
                - name: other
                  context: {cluster: emulated, user: gantry, namespace: elsewhere}
                - name: main
                  context: {cluster: emulated, user: gantry, namespace: team-k}
                current-context: main
                """.formatted(cluster.front.url());
        EngineConnection connection = new EngineConnection(UUID.randomUUID(), "kc", "", Map.of(),
                Map.of("kubeconfig", kubeconfig), Map.of(), Duration.ofSeconds(5));
        try (EngineClient kc = new KubernetesEngineAdapter().connect(connection)) {
            assertThat(kc.ping().version()).isEqualTo("v1.33.0-emulated");
            Workload w = kc.deploy(new WorkloadDefinition("", "from-kubeconfig", WorkloadKind.SERVICE, Map.of(),
                    WorkloadSpec.of("nginx:1.27", 1)));
            assertThat(w.namespace()).as("the context's namespace is the default").isEqualTo("team-k");
            kc.delete(w.nativeId());
        }
    }

    /** The test controller writes status concurrently; an edit with a stale resourceVersion is retried, as kubectl does. */
    private static void retryOnConflict(Runnable edit) {
        for (int attempt = 1; ; attempt++) {
            try {
                edit.run();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private static boolean changed(EngineChange c, String nativeId) {
        return c instanceof EngineChange.WorkloadChanged wc && wc.workload().nativeId().equals(nativeId);
    }

    private static WorkloadDefinition definition(String name, String image, int replicas, List<PortMapping> ports) {
        return new WorkloadDefinition("gantry", name, WorkloadKind.SERVICE, Map.of("app", name),
                new WorkloadSpec(image, null, null, Map.of(), ports, new Resources(500L, 268435456L), replicas, null, null, null));
    }

    private static PodTemplateSpec template(String app, String image, String cpu, String memory, int port, boolean sidecar) {
        var builder = new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", app).endMetadata().withNewSpec()
                .addToContainers(new ContainerBuilder().withName(app).withImage(image)
                        .withPorts(new ContainerPortBuilder().withContainerPort(port).withProtocol("TCP").build())
                        .withResources(new ResourceRequirementsBuilder().addToLimits("cpu", new Quantity(cpu))
                                .addToLimits("memory", new Quantity(memory)).addToRequests("cpu", new Quantity("10m")).build())
                        .build());
        if (sidecar) {
            builder = builder.addToContainers(new ContainerBuilder().withName("proxy").withImage("envoy:1").build());
        }
        return builder.endSpec().build();
    }

    /** The 409 Status a real API server answers to a write that raced another one on the Deployment. */
    private static String conflictOn(String deployment) {
        return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Conflict\","
                + "\"message\":\"Operation cannot be fulfilled on deployments.apps \\\"" + deployment + "\\\": the object "
                + "has been modified; please apply your changes to the latest version and try again\",\"code\":409}";
    }

    private static void await(String what, Supplier<Boolean> condition) {
        await(what, condition, SETTLE);
    }

    private static void await(String what, Supplier<Boolean> condition, Duration timeout) {
        RecordingListener.await(what, timeout, condition::get);
    }
}
