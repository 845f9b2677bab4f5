package io.gantry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.EmbeddedEngineLauncher;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** The embedded default: a launcher's engine is started in {@code <data-dir>/<kind>}, registered as {@code local}, stopped with the server. */
class EmbeddedEngineIT extends IntegrationTest {
    @Autowired
    EngineService service;
    @Autowired
    EngineAdapters adapters;
    @TempDir
    Path dataDir;

    @Test
    void startsRegistersAndStopsTheEmbeddedEngine() {
        AtomicReference<Path> startedIn = new AtomicReference<>();
        AtomicReference<Map<String, String>> startedWith = new AtomicReference<>();
        AtomicBoolean closed = new AtomicBoolean();
        FakeEngine.named("embedded-local").putQuietly(FakeEngine.workload("default", "hello", "raw", 1, Map.of()));
        EmbeddedEngineLauncher launcher = new EmbeddedEngineLauncher() {
            @Override
            public String kind() {
                return "test";
            }

            @Override
            public EmbeddedEngine start(Path dir, Map<String, String> settings) {
                startedWith.set(settings);
                return start(dir);
            }

            @Override
            public EmbeddedEngine start(Path dir) {
                startedIn.set(dir);
                return new EmbeddedEngine() {
                    @Override
                    public String endpoint() {
                        return "test://embedded-local";
                    }

                    @Override
                    public Map<String, String> credentials() {
                        return Map.of("token", "fresh-random-secret");
                    }

                    @Override
                    public void close() {
                        closed.set(true);
                    }
                };
            }
        };
        EngineBootstrap bootstrap = new EngineBootstrap(service, adapters, new DeclaredEngines(List.of()), true,
                dataDir, Map.of("raw", "false"), () -> List.of(launcher));

        bootstrap.start();
        assertThat(startedIn.get()).isEqualTo(dataDir.resolve("test").toAbsolutePath());
        assertThat(startedWith.get()).as("gantry.embedded-agent.* reach the launcher").containsEntry("raw", "false");
        Api api = api();
        JsonNode local = Engines.awaitStatus(api, "local", "UP");
        assertThat(local.get("endpoint").asString()).isEqualTo("test://embedded-local");
        assertThat(api.get("/api/v1/workloads?engine=local").json().get("total").asInt()).isEqualTo(1);
        assertThat(FakeEngine.named("embedded-local").lastConnection().credential("token")).isEqualTo("fresh-random-secret");

        bootstrap.stop();
        assertThat(closed).isTrue();
    }

    /** Declared engines pass the API's checks: one the API would refuse stops the start, saying which and why. */
    @Test
    void aDeclaredEngineTheApiWouldRefuseStopsTheStartNamingIt() throws Exception {
        Path token = Files.writeString(dataDir.resolve("token"), "declared-secret");
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                current-context: main
                clusters:
                - {name: c, cluster: {server: "https://127.0.0.1:6443"}}
                users:
                - {name: u, user: {tokenFile: %s}}
                contexts:
                - {name: main, context: {cluster: c, user: u}}
                """.formatted(token);
        DeclaredEngines declared = new DeclaredEngines(List.of(
                new DeclaredEngines.DeclaredEngine("declared-fine", "test", "test://declared-fine", null, null, null),
                new DeclaredEngines.DeclaredEngine("declared-file", "kubernetes", "from-kubeconfig", null,
                        Map.of("kubeconfig", kubeconfig), null)));
        EngineBootstrap bootstrap = new EngineBootstrap(service, adapters, declared, false, dataDir, Map.of(), List::of);

        assertThatThrownBy(bootstrap::start).isInstanceOf(IllegalStateException.class)
                .hasMessage("gantry.engines[1] (declared-file) is refused: credentials.kubeconfig: "
                        + "users[0].user.tokenFile is a file reference; inline it as token")
                .hasMessageNotContaining("declared-secret");
        assertThat(bootstrap.isRunning()).isFalse();
        assertThat(api().get("/api/v1/engines/declared-file").status()).isEqualTo(404);
    }
}
