package io.gantry.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.Phase;
import io.gantry.spi.RequiredEngine;
import io.gantry.spi.Subscription;
import io.gantry.spi.WatchListener;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Stops the real dockerd (only one {@code swarm-test-env.sh} started) and starts it again with that script:
 * the engine is unavailable at once, and once it is back the watch has reconnected and asked for a resync.
 */
class SwarmDaemonRestartIT {

    @Test
    void stoppedDaemonIsUnavailableAndWhenBackTheWatchAsksForAResync() throws Exception {
        RequiredEngine.require(LocalSwarm.available(), "a Docker Swarm manager (dockerd)");
        ProcessHandle dockerd = LocalSwarm.daemonStartedByScript().orElse(null);
        RequiredEngine.require(dockerd != null, "a dockerd started by scripts/swarm-test-env.sh (this test restarts it)");

        EngineConnection connection = new EngineConnection(UUID.randomUUID(), "restarted-swarm", "unix://" + LocalSwarm.SOCKET,
                null, null, null, Duration.ofSeconds(3));
        List<EngineChange> changes = new CopyOnWriteArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (EngineClient client = new SwarmEngineAdapter().connect(connection)) {
            Workload survivor = client.deploy(new WorkloadDefinition("", "it-survivor", WorkloadKind.SERVICE,
                    Map.of(LocalSwarm.TEST_LABEL, "restart"), SwarmTestWorkloads.sleeper(1)));
            try (Subscription watch = client.watch(listener(changes, failures))) {
                await(Duration.ofSeconds(45), "the service running", () -> phase(client, survivor) == Phase.RUNNING);

                await(Duration.ofSeconds(10), "the event stream connected", ((SwarmEventWatch) watch)::connected);
                dockerd.destroy();
                assertThat(dockerd.onExit().get(60, TimeUnit.SECONDS).isAlive()).isFalse();
                long stoppedAt = System.nanoTime();
                assertThatThrownBy(client::ping).isInstanceOf(EngineUnavailableException.class);
                assertThatThrownBy(client::listWorkloads).isInstanceOf(EngineUnavailableException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt)).isLessThan(Duration.ofSeconds(10));
                // the first resync came with the first connect; the second tells the receiver the daemon is silent
                await(Duration.ofSeconds(10), "ResyncRequired naming the silent daemon", () -> resyncs(changes).stream()
                        .anyMatch(r -> r.reason().startsWith("the Docker daemon does not answer")));
                int whileDown = resyncs(changes).size();

                LocalSwarm.runScript();
                await(Duration.ofSeconds(10), "ResyncRequired after the daemon came back",
                        () -> resyncs(changes).size() > whileDown);
                await(Duration.ofSeconds(60), "the swarm manager answering with the service", () -> {
                    try {
                        return !client.ping().degraded() && client.listWorkloads().stream()
                                .anyMatch(w -> w.nativeId().equals(survivor.nativeId()));
                    } catch (EngineUnavailableException e) {
                        return false;
                    }
                });
            } finally {
                // whatever failed above, the next tests need the daemon back
                if (LocalSwarm.daemonStartedByScript().isEmpty()) {
                    LocalSwarm.runScript();
                }
                LocalSwarm.removeServices(survivor.nativeId());
            }
        }
        assertThat(failures).as("the watch never gives up").isEmpty();
    }

    private static Phase phase(EngineClient client, Workload workload) {
        return client.getWorkload(workload.nativeId()).map(w -> w.status().phase()).orElse(Phase.UNKNOWN);
    }

    private static void await(Duration timeout, String what, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.get()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not " + what + " within " + timeout);
    }

    private static List<EngineChange.ResyncRequired> resyncs(List<EngineChange> changes) {
        return changes.stream().filter(EngineChange.ResyncRequired.class::isInstance)
                .map(EngineChange.ResyncRequired.class::cast).toList();
    }

    private static WatchListener listener(List<EngineChange> changes, List<Throwable> failures) {
        return new WatchListener() {
            @Override
            public void onChange(EngineChange change) {
                changes.add(change);
            }

            @Override
            public void onFailure(Throwable cause) {
                failures.add(cause);
            }
        };
    }
}
