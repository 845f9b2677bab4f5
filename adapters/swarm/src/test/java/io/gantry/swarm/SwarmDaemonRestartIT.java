package io.gantry.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.Phase;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.RequiredEngine;
import io.gantry.spi.Subscription;
import io.gantry.spi.watch.EventWatch;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The daemon goes away and comes back: the adapter talks to the real dockerd through a {@link UnixSocketForwarder}
 * that the test closes (every connection cut, new ones refused, as when dockerd stops) and then opens again on the
 * same port. The machine's dockerd itself is never stopped: other tests and builds share it.
 */
class SwarmDaemonRestartIT {

    @Test
    void unreachableDaemonIsUnavailableAndWhenBackTheWatchAsksForAResync() throws Exception {
        RequiredEngine.require(LocalSwarm.available(), LocalSwarm.REQUIRED);
        UnixSocketForwarder forwarder = UnixSocketForwarder.plain(LocalSwarm.SOCKET);
        int port = forwarder.port();
        EngineConnection connection = new EngineConnection(UUID.randomUUID(), "restarted-swarm", "tcp://127.0.0.1:" + port,
                null, null, null, Duration.ofSeconds(3));
        RecordingListener watched = new RecordingListener();
        List<EngineChange> changes = watched.changes();
        List<Throwable> failures = watched.failures();
        Workload survivor = null;
        try (EngineClient client = new SwarmEngineAdapter().connect(connection)) {
            survivor = client.deploy(new WorkloadDefinition("", "it-survivor-" + Long.toString(System.nanoTime(), 36),
                    WorkloadKind.SERVICE, Map.of(LocalSwarm.TEST_LABEL, "restart"), SwarmTestWorkloads.sleeper(1)));
            Workload deployed = survivor;
            try (Subscription watch = client.watch(watched)) {
                await(Duration.ofSeconds(60), "the service running", () -> phase(client, deployed) == Phase.RUNNING);
                await(Duration.ofSeconds(30), "the event stream connected", ((EventWatch<?>) watch)::connected);

                forwarder.close();
                // unavailable, not hung: each call gives up at the connection's 3 s timeout or sooner (refused);
                // the bound is ten times that so a busy machine does not fail it
                assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                    assertThatThrownBy(client::ping).isInstanceOf(EngineUnavailableException.class);
                    assertThatThrownBy(client::listWorkloads).isInstanceOf(EngineUnavailableException.class);
                });
                // the first resync came with the first connect; the second tells the receiver the daemon is silent
                await(Duration.ofSeconds(30), "ResyncRequired naming the silent daemon", () -> watched.resyncs().stream()
                        .anyMatch(r -> r.reason().startsWith("the Docker daemon does not answer")));
                int whileDown = watched.resyncs().size();

                forwarder = UnixSocketForwarder.plain(LocalSwarm.SOCKET, port);
                await(Duration.ofSeconds(60), "ResyncRequired after the daemon came back",
                        () -> watched.resyncs().size() > whileDown);
                await(Duration.ofSeconds(60), "the swarm manager answering with the service", () -> {
                    try {
                        return !client.ping().degraded() && client.listWorkloads().stream()
                                .anyMatch(w -> w.nativeId().equals(deployed.nativeId()));
                    } catch (EngineUnavailableException e) {
                        return false;
                    }
                });
            }
        } finally {
            forwarder.close();
            if (survivor != null) {
                LocalSwarm.removeServices(survivor.nativeId());
            }
        }
        assertThat(failures).as("the watch never gives up").isEmpty();
    }

    private static Phase phase(EngineClient client, Workload workload) {
        return client.getWorkload(workload.nativeId()).map(w -> w.status().phase()).orElse(Phase.UNKNOWN);
    }

    private static void await(Duration timeout, String what, Supplier<Boolean> condition) {
        RecordingListener.await(what, timeout, condition::get);
    }
}
