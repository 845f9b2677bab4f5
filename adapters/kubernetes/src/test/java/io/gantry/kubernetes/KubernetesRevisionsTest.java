package io.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineRevision;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The engine's own history on the emulator (issue 17): a Deployment's ReplicaSets and a StatefulSet's
 * ControllerRevisions as the {@link TestController} keeps them, and rollback as {@code kubectl rollout undo}.
 */
class KubernetesRevisionsTest {
    private static final Duration SETTLE = Duration.ofSeconds(15);
    private static final String NS = "history";
    @RegisterExtension
    static final EmulatedEngine engine = new EmulatedEngine();

    @AfterEach
    void reset() {
        engine.cluster().front.allowAll();
    }

    @Test
    void aDeploymentUpdatedTwiceHasThreeRevisionsAndRollsBackToTheFirstThroughItsReplicaSet() {
        EngineClient client = engine.client();
        Workload w = client.deploy(new WorkloadDefinition(NS, "web", WorkloadKind.SERVICE, Map.of(), WorkloadSpec.of("nginx:1.25", 2)));
        revisionsUntil(w.nativeId(), r -> r.size() == 1);
        client.update(w.nativeId(), WorkloadSpec.of("nginx:1.26", 2));
        revisionsUntil(w.nativeId(), r -> r.size() == 2);
        client.update(w.nativeId(), WorkloadSpec.of("nginx:1.27", 2));
        List<EngineRevision> three = revisionsUntil(w.nativeId(), r -> r.size() == 3 && r.get(0).current());

        assertThat(three).extracting(EngineRevision::id).containsExactly("3", "2", "1");
        assertThat(three).extracting(r -> r.spec().image()).containsExactly("nginx:1.27", "nginx:1.26", "nginx:1.25");
        assertThat(three).extracting(EngineRevision::current).containsExactly(true, false, false);
        assertThat(three).allSatisfy(r -> {
            assertThat(r.createdAt()).isNotNull();
            assertThat(r.spec().replicas()).as("the Deployment's count").isEqualTo(2);
        });
        assertThat(three.get(0).spec()).as("the current revision is what runs")
                .isEqualTo(client.getWorkload(w.nativeId()).orElseThrow().spec());

        client.rollback(w.nativeId(), three.get(2).spec(), "1");

        Deployment d = engine.cluster().fabric8.apps().deployments().inNamespace(NS).withName("web").get();
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1.25");
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                .doesNotContainKey(KubernetesRevisionReader.POD_TEMPLATE_HASH);
        assertThat(d.getMetadata().getAnnotations()).containsEntry(KubernetesRevisionReader.CHANGE_CAUSE, "rollback to revision 1");
        // as the deployment controller does: revision 1's ReplicaSet comes back as revision 4, with the change cause
        List<EngineRevision> after = revisionsUntil(w.nativeId(), r -> r.get(0).id().equals("4") && r.get(0).current());
        assertThat(after).extracting(EngineRevision::id).containsExactly("4", "3", "2");
        assertThat(after.get(0).spec().image()).isEqualTo("nginx:1.25");
        assertThat(after.get(0).message()).isEqualTo("rollback to revision 1");
        RecordingListener.await("the rolled-back pods run", SETTLE, () -> client.getWorkload(w.nativeId())
                .map(x -> x.instances().size() == 2 && x.spec().image().equals("nginx:1.25")).orElse(false));
    }

    @Test
    void aRevisionNoLongerKeptOrNoneGivenIsAnUpdateWithTheGivenSpec() {
        EngineClient client = engine.client();
        Workload w = client.deploy(new WorkloadDefinition(NS, "api", WorkloadKind.SERVICE, Map.of(), WorkloadSpec.of("nginx:1.25", 1)));
        revisionsUntil(w.nativeId(), r -> r.size() == 1);

        client.rollback(w.nativeId(), WorkloadSpec.of("busybox:1.36", 1), "99");
        assertThat(image("api")).isEqualTo("busybox:1.36");
        client.rollback(w.nativeId(), WorkloadSpec.of("busybox:1.37", 1), null);
        assertThat(image("api")).isEqualTo("busybox:1.37");
        assertThat(engine.cluster().fabric8.apps().deployments().inNamespace(NS).withName("api").get().getMetadata()
                .getAnnotations()).as("an update, not a rollback").doesNotContainKey(KubernetesRevisionReader.CHANGE_CAUSE);
    }

    @Test
    void aStatefulSetsControllerRevisionsAreReadAndRolledBackTo() {
        EngineClient client = engine.client();
        Workload w = client.deploy(new WorkloadDefinition(NS, "db", WorkloadKind.STATEFUL, Map.of(), WorkloadSpec.of("redis:7.0", 2)));
        revisionsUntil(w.nativeId(), r -> r.size() == 1);
        client.update(w.nativeId(), WorkloadSpec.of("redis:7.2", 2));
        List<EngineRevision> two = revisionsUntil(w.nativeId(), r -> r.size() == 2 && r.get(0).current());

        assertThat(two).extracting(r -> r.spec().image()).containsExactly("redis:7.2", "redis:7.0");
        assertThat(two).extracting(EngineRevision::current).containsExactly(true, false);
        assertThat(two).extracting(EngineRevision::id).allMatch(id -> id.startsWith("db-"));
        assertThat(two.get(1).spec().replicas()).isEqualTo(2);

        client.rollback(w.nativeId(), two.get(1).spec(), two.get(1).id());

        assertThat(engine.cluster().fabric8.apps().statefulSets().inNamespace(NS).withName("db").get()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("redis:7.0");
        List<EngineRevision> after = revisionsUntil(w.nativeId(), r -> r.get(0).id().equals(two.get(1).id()) && r.get(0).current());
        assertThat(after).extracting(r -> r.spec().image()).containsExactly("redis:7.0", "redis:7.2");
    }

    @Test
    void aDaemonSetHasItsRevisionAndUnreadableControllerRevisionsAreNoHistory() {
        EngineClient client = engine.client();
        Workload ds = client.deploy(new WorkloadDefinition(NS, "collector", WorkloadKind.DAEMON, Map.of(),
                WorkloadSpec.of("otel/collector:0.100", null)));
        List<EngineRevision> one = revisionsUntil(ds.nativeId(), r -> r.size() == 1 && r.get(0).current());
        assertThat(one.get(0).spec().image()).isEqualTo("otel/collector:0.100");

        engine.cluster().front.forbid("controllerrevisions");
        assertThat(client.revisions(ds.nativeId())).as("403: no history, not an error").isEmpty();
        assertThat(client.revisions(NS + "/Job/none")).isEmpty();
        assertThat(client.revisions(NS + "/Deployment/never-deployed")).isEmpty();
    }

    private static String image(String deployment) {
        return engine.cluster().fabric8.apps().deployments().inNamespace(NS).withName(deployment).get()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    /** The revisions once they satisfy {@code done}: the controller and the informers follow a write a little later. */
    private static List<EngineRevision> revisionsUntil(String nativeId, Predicate<List<EngineRevision>> done) {
        RecordingListener.await("revisions of " + nativeId, SETTLE, () -> {
            List<EngineRevision> r = engine.client().revisions(nativeId);
            return !r.isEmpty() && done.test(r);
        });
        return engine.client().revisions(nativeId);
    }
}
