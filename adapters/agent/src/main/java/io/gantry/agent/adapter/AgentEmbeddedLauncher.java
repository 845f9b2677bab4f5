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
 */
public final class AgentEmbeddedLauncher implements EmbeddedEngineLauncher {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public String kind() {
        return AgentEngineAdapter.KIND;
    }

    @Override
    public EmbeddedEngine start(Path dataDir) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        AgentDaemon daemon;
        try {
            daemon = AgentDaemon.start(AgentOptions.loopback(0, token, dataDir.toAbsolutePath()));
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
