package io.gantry.agent.adapter;

import io.gantry.agent.daemon.AgentDaemon;
import io.gantry.agent.daemon.AgentOptions;
import io.gantry.spi.EmbeddedEngineLauncher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

/**
 * Runs one node agent inside the server process, on loopback with a free port and a fresh random
 * token, so that a fresh install has a working engine. Closing it stops the agent and its tasks.
 * <p>
 * Settings ({@code gantry.embedded-agent.*}): {@code raw} (default {@code true}: {@code java -jar} runs host
 * processes for the administrator who started it; {@code false} leaves only runc), {@code task-user} (default
 * {@code nobody}) and {@code task-dir} (default under {@code java.io.tmpdir}), as the daemon's
 * {@code --allow-raw-runtime}, {@code --task-user} and {@code --task-dir}.
 */
public final class AgentEmbeddedLauncher implements EmbeddedEngineLauncher {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public String kind() {
        return AgentEngineAdapter.KIND;
    }

    @Override
    public EmbeddedEngine start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    @Override
    public EmbeddedEngine start(Path dataDir, Map<String, String> settings) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        String taskDir = settings.get("task-dir");
        AgentOptions options = AgentOptions.loopback(0, token, dataDir.toAbsolutePath())
                .withRaw(!"false".equalsIgnoreCase(settings.getOrDefault("raw", "true").trim()))
                .withTasks(settings.get("task-user"), taskDir == null || taskDir.isBlank() ? null : Path.of(taskDir));
        AgentDaemon daemon;
        try {
            daemon = AgentDaemon.start(options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded agent in " + dataDir, e);
        }
        String endpoint = "grpc://127.0.0.1:" + daemon.port();
        return new EmbeddedEngine() {
            @Override
            public String endpoint() {
                return endpoint;
            }

            @Override
            public Map<String, String> credentials() {
                return Map.of("token", token);
            }

            @Override
            public void close() {
                daemon.close(true);
            }
        };
    }
}
