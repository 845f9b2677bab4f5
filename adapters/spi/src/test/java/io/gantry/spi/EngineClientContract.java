package io.gantry.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link EngineClient} keeps, run by each adapter module against the most real
 * engine available (a real dockerd, the Kubernetes emulator with a test controller, the Marathon
 * test server, a real agent daemon). Shipped in spi's test-jar.
 */
public abstract class EngineClientContract {

    /** A client connected to the engine under test. */
    protected abstract EngineClient client();

    /** A definition the engine under test can run, with 1 replica, named {@code name}. */
    protected abstract WorkloadDefinition runnable(String name);

    /** How long the engine may take to converge after a change. */
    protected Duration settleTimeout() {
        return Duration.ofSeconds(60);
    }

    @Test
    void deployedWorkloadIsListedAndReadable() {
        Workload created = client().deploy(runnable(uniqueName("list")));
        try {
            assertThat(created.nativeId()).isNotBlank();
            await("listed", () -> client().listWorkloads().stream()
                    .anyMatch(w -> w.nativeId().equals(created.nativeId())));
            Workload read = client().getWorkload(created.nativeId()).orElseThrow();
            assertThat(read.name()).isEqualTo(created.name());
            assertThat(read.spec().replicas()).isEqualTo(1);
            await("running", () -> client().getWorkload(created.nativeId())
                    .map(w -> w.status().phase() == Phase.RUNNING).orElse(false));
        } finally {
            client().delete(created.nativeId());
        }
    }

    @Test
    void scaleChangesDesiredReplicas() {
        Workload created = client().deploy(runnable(uniqueName("scale")));
        try {
            client().scale(created.nativeId(), 2);
            await("scaled to 2", () -> client().getWorkload(created.nativeId())
                    .map(w -> w.spec().replicas() == 2 && w.status().running() == 2).orElse(false));
            client().scale(created.nativeId(), 0);
            await("stopped", () -> client().getWorkload(created.nativeId())
                    .map(w -> w.status().phase() == Phase.STOPPED).orElse(false));
        } finally {
            client().delete(created.nativeId());
        }
    }

    /**
     * A restart replaces what runs: a restart that does nothing leaves the same instances running and fails
     * here. New means an instance id that was not running before, or the same id started later.
     */
    @Test
    void restartReplacesTheRunningInstancesAndTheWorkloadRunsAgain() {
        Workload created = client().deploy(runnable(uniqueName("restart")));
        try {
            await("running with an instance", () -> !runningInstances(created.nativeId()).isEmpty()
                    && phaseOf(created.nativeId()) == Phase.RUNNING);
            List<Instance> before = runningInstances(created.nativeId());
            client().restart(created.nativeId());
            await("running again on instances other than " + before, () -> {
                List<Instance> now = runningInstances(created.nativeId());
                return phaseOf(created.nativeId()) == Phase.RUNNING && !now.isEmpty()
                        && now.stream().allMatch(instance -> replaced(before, instance));
            });
        } finally {
            client().delete(created.nativeId());
        }
    }

    private List<Instance> runningInstances(String nativeId) {
        return client().getWorkload(nativeId).map(Workload::instances).orElse(List.of()).stream()
                .filter(i -> i.state() == InstanceState.RUNNING).toList();
    }

    /** Not one of {@code before}: another id, or the same id started after it (a process restarted in place). */
    private static boolean replaced(List<Instance> before, Instance instance) {
        return before.stream().noneMatch(old -> old.id().equals(instance.id()) && (old.startedAt() == null
                || instance.startedAt() == null || !instance.startedAt().isAfter(old.startedAt())));
    }

    @Test
    void deleteRemovesTheWorkload() {
        Workload created = client().deploy(runnable(uniqueName("delete")));
        client().delete(created.nativeId());
        await("gone", () -> client().getWorkload(created.nativeId()).isEmpty());
    }

    @Test
    void watchReportsADeployedWorkload() {
        RecordingListener watched = new RecordingListener();
        List<EngineChange> seen = watched.changes();
        List<Throwable> failures = watched.failures();
        try (Subscription ignored = client().watch(watched)) {
            Workload created = client().deploy(runnable(uniqueName("watch")));
            try {
                await("watched", () -> seen.stream().anyMatch(c -> c instanceof EngineChange.WorkloadChanged wc
                        && wc.workload().nativeId().equals(created.nativeId())));
            } finally {
                client().delete(created.nativeId());
            }
            assertThat(failures).isEmpty();
        }
    }

    @Test
    void unknownWorkloadIsEmptyOrNotFound() {
        assertThat(client().getWorkload("gantry-contract-missing")).isEmpty();
        assertThatThrownBy(() -> client().scale("gantry-contract-missing", 1))
                .isInstanceOf(WorkloadNotFoundException.class);
    }

    @Test
    void pingAnswers() {
        assertThat(client().ping().version()).isNotBlank();
    }

    private Phase phaseOf(String nativeId) {
        Optional<Workload> w = client().getWorkload(nativeId);
        return w.map(x -> x.status().phase()).orElse(Phase.UNKNOWN);
    }

    protected static String uniqueName(String prefix) {
        return "ct-" + prefix + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    }

    protected void await(String what, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + settleTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            if (Boolean.TRUE.equals(condition.get())) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
        throw new AssertionError("not " + what + " within " + settleTimeout());
    }
}
