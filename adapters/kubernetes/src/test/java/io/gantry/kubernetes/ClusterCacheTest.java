package io.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.gantry.spi.EngineClient;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.Subscription;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The informers behind listWorkloads and watch: reads from their cache, resumed streams, threads that end. */
class ClusterCacheTest {
    private static final Duration SETTLE = Duration.ofSeconds(15);

    @RegisterExtension
    static final EmulatedEngine engine = new EmulatedEngine();

    @Test
    void aResyncIsAnsweredFromTheCacheWithoutListingAnything() {
        Workload w = engine.client().deploy(new WorkloadDefinition("cached", "web", WorkloadKind.SERVICE, Map.of(),
                WorkloadSpec.of("nginx:1.27", 2)));
        try (EngineClient fresh = engine.connect(Map.of())) {
            int before = engine.cluster().front.listRequests();
            assertThat(fresh.listWorkloads()).extracting(Workload::nativeId).contains(w.nativeId());
            assertThat(engine.cluster().front.listRequests() - before)
                    .as("the first sync lists every resource type once").isEqualTo(ResourceType.values().length);

            int afterFirst = engine.cluster().front.listRequests();
            List<Workload> again = fresh.listWorkloads();
            assertThat(again).extracting(Workload::nativeId).contains(w.nativeId());
            assertThat(engine.cluster().front.listRequests()).as("no list reached the API server").isEqualTo(afterFirst);
        } finally {
            engine.client().delete(w.nativeId());
        }
    }

    @Test
    void aWatchThatLosesTheServerResumesFromItsResourceVersionWithoutListing() throws Exception {
        EmulatedCluster cluster = engine.cluster();
        RecordingListener recorder = new RecordingListener();
        try (EngineClient fresh = engine.connect(Map.of());
             Subscription ignored = fresh.watch(recorder)) {
            int listsBefore = cluster.front.listRequests();
            int watchesBefore = cluster.front.watchQueries().size();
            cluster.front.stop();
            recorder.awaitResync("failed", SETTLE);
            cluster.front.restart();
            recorder.awaitResync("reconnected", SETTLE);

            cluster.fabric8.apps().deployments().inNamespace("resumed").resource(new DeploymentBuilder()
                    .withNewMetadata().withName("after").withNamespace("resumed").endMetadata()
                    .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "after").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", "after").endMetadata().withNewSpec()
                    .addNewContainer().withName("after").withImage("nginx:1.27").endContainer().endSpec().endTemplate()
                    .endSpec().build()).create();
            recorder.awaitChanged("resumed/Deployment/after", SETTLE, w -> true);

            assertThat(cluster.front.listRequests()).as("nothing listed again").isEqualTo(listsBefore);
            List<String> resumed = cluster.front.watchQueries().subList(watchesBefore, cluster.front.watchQueries().size());
            assertThat(resumed).as("every stream watched again").hasSizeGreaterThanOrEqualTo(ResourceType.values().length)
                    .allSatisfy(query -> assertThat(query).containsPattern("resourceVersion=[^&]+"));
            assertThat(recorder.failures()).isEmpty();
        }
    }

    /**
     * An object deleted right after its type was listed, while the client still waits for another type's list, must
     * not keep the client from ever being ready: its handler was handed the list, and then the delete.
     */
    @Test
    void anObjectDeletedRightAfterTheListLeavesTheClientReady() throws Exception {
        EmulatedCluster cluster = engine.cluster();
        var replicaSets = cluster.fabric8.apps().replicaSets().inNamespace("deleted-early");
        replicaSets.resource(new ReplicaSetBuilder().withNewMetadata().withName("soon-gone").withNamespace("deleted-early")
                .endMetadata().withNewSpec().withReplicas(0).withNewSelector().addToMatchLabels("app", "soon-gone")
                .endSelector().withNewTemplate().withNewMetadata().addToLabels("app", "soon-gone").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx:1.27").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        // deployments are the first type the client waits for: while their list is held back, the replica sets are
        // listed, watched, and the one above deleted
        cluster.front.stallNextList("deleted-early-token", "deployments", Duration.ofSeconds(3));
        try (EngineClient fresh = new KubernetesEngineAdapter()
                .connect(cluster.connection(Map.of(), Duration.ofSeconds(10), "deleted-early-token"))) {
            CompletableFuture<List<Workload>> listing = CompletableFuture.supplyAsync(fresh::listWorkloads);
            Thread.sleep(1_500);
            replicaSets.withName("soon-gone").delete();
            assertThat(listing.get(30, TimeUnit.SECONDS)).extracting(Workload::nativeId)
                    .doesNotContain("deleted-early/ReplicaSet/soon-gone");
        }
    }

    @Test
    void closingTheClientStopsEveryInformerThread() {
        Set<Thread> before = informerThreads();
        EngineClient fresh = engine.connect(Map.of());
        RecordingListener recorder = new RecordingListener();
        Subscription subscription = fresh.watch(recorder);
        fresh.listWorkloads();
        Set<Thread> running = informerThreads();
        running.removeAll(before);
        assertThat(running).as("the informers run threads of their own").isNotEmpty();

        subscription.close();
        fresh.close();
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (running.stream().anyMatch(Thread::isAlive) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(running.stream().filter(Thread::isAlive).map(ClusterCacheTest::describe))
                .as("threads of the closed client still running").isEmpty();
        Set<Thread> after = informerThreads();
        after.removeAll(before);
        assertThat(after.stream().map(ClusterCacheTest::describe)).as("no thread of the closed client left").isEmpty();
    }

    private static String describe(Thread t) {
        return t.getName() + " at " + Arrays.stream(t.getStackTrace()).limit(12).map(String::valueOf)
                .collect(Collectors.joining(" < "));
    }

    /** Live threads running client-java's code (Gantry's handlers run on those), or Gantry's own resync thread. */
    private static Set<Thread> informerThreads() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey() != Thread.currentThread())
                .filter(e -> Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().startsWith("io.kubernetes.client"))
                        || e.getKey().getName().startsWith("gantry-k8s-"))
                .map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }
}
