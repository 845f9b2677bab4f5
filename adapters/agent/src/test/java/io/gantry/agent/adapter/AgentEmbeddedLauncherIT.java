package io.gantry.agent.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.agent.runtime.Proc;
import io.gantry.spi.EmbeddedEngineLauncher;
import io.gantry.spi.EngineAdapter;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.Phase;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded agent as the backend uses it: found through ServiceLoader, started in-process, stopped with its tasks. */
class AgentEmbeddedLauncherIT {
    @TempDir
    Path dataDir;

    @Test
    void theEmbeddedAgentRunsWorkloadsAndStopsThemWhenClosed() {
        EmbeddedEngineLauncher launcher = ServiceLoader.load(EmbeddedEngineLauncher.class).stream()
                .map(ServiceLoader.Provider::get).filter(l -> l.kind().equals("agent")).findFirst().orElseThrow();
        EngineAdapter adapter = ServiceLoader.load(EngineAdapter.class).stream().map(ServiceLoader.Provider::get)
                .filter(a -> a.kind().equals(launcher.kind())).findFirst().orElseThrow();

        long pid;
        String firstToken;
        try (EmbeddedEngineLauncher.EmbeddedEngine engine = launcher.start(dataDir)) {
            assertThat(engine.endpoint()).matches("grpc://127\\.0\\.0\\.1:\\d+");
            firstToken = engine.credentials().get("token");
            assertThat(firstToken).hasSize(64);
            try (EngineClient client = adapter.connect(connection(engine))) {
                client.deploy(new WorkloadDefinition("", "sleeper", WorkloadKind.SERVICE, Map.of(),
                        new WorkloadSpec(null, List.of("/bin/sh", "-c", "sleep 300"), null, null, null, null, 1, null,
                                null, null)));
                Workload running = await(() -> client.getWorkload("default/sleeper")
                        .filter(w -> w.status().phase() == Phase.RUNNING).orElse(null));
                assertThat(running.instances()).hasSize(1);
                pid = taskPid(dataDir);
                assertThat(Proc.group(pid)).isNotEmpty();
            }
        }
        assertThat(Proc.group(pid)).as("closing the embedded agent stops its tasks").isEmpty();

        try (EmbeddedEngineLauncher.EmbeddedEngine engine = launcher.start(dataDir);
             EngineClient client = adapter.connect(connection(engine))) {
            assertThat(engine.credentials().get("token")).as("a fresh token per start").isNotEqualTo(firstToken);
            Workload again = await(() -> client.getWorkload("default/sleeper")
                    .filter(w -> w.status().phase() == Phase.RUNNING).orElse(null));
            assertThat(again.name()).isEqualTo("sleeper");
            client.delete("default/sleeper");
        }
    }

    private static EngineConnection connection(EmbeddedEngineLauncher.EmbeddedEngine engine) {
        return new EngineConnection(UUID.randomUUID(), "local", engine.endpoint(), Map.of(), engine.credentials(),
                Map.of(), Duration.ofSeconds(10));
    }

    private static long taskPid(Path dataDir) {
        try {
            String json = java.nio.file.Files.readString(dataDir.resolve("tasks/default/sleeper-0.json"));
            return Long.parseLong(json.replaceAll("(?s).*\"pid\": \"(\\d+)\".*", "$1"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static <T> T await(Supplier<T> probe) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("condition not met within 20 s");
    }
}
