package io.gantry.agent.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.config.ConfigDefinition;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.ConfigObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pool's config writes reach every agent; with one agent down they fail naming it, and leave nothing half-made. */
class AgentPoolConfigsIT {
    @TempDir
    Path root;

    @Test
    void writesGoToEveryAgentAndNameTheAgentsThatDidNotTakeThem() throws Exception {
        String token = "pool-" + UUID.randomUUID();
        AgentProcess a = new AgentProcess(root.resolve("a"), token, AgentProcess.freePort(), AgentProcess.freePort())
                .with("--node-name", "agent-a").start();
        AgentProcess b = new AgentProcess(root.resolve("b"), token, AgentProcess.freePort(), AgentProcess.freePort())
                .with("--node-name", "agent-b").start();
        EngineConnection pool = new EngineConnection(UUID.randomUUID(), "pool",
                "grpc://127.0.0.1:" + a.port + ", grpc://127.0.0.1:" + b.port, Map.of(), Map.of("token", token),
                Map.of(), Duration.ofSeconds(5));
        try (EngineClient client = new AgentEngineAdapter().connect(pool);
             EngineClient onA = a.client(); EngineClient onB = b.client()) {
            client.createConfig(new ConfigDefinition("demo", "db", ConfigKind.SECRET, Map.of("password", "p")));
            assertThat(onA.listConfigs()).extracting(ConfigObject::nativeId).containsExactly("demo/secret/db");
            assertThat(onB.listConfigs()).extracting(ConfigObject::nativeId).containsExactly("demo/secret/db");
            assertThat(client.listConfigs()).as("merged: one object").extracting(ConfigObject::nativeId)
                    .containsExactly("demo/secret/db");

            b.kill();
            assertThatThrownBy(() -> client.createConfig(new ConfigDefinition("demo", "api", ConfigKind.SECRET,
                    Map.of("key", "k"))))
                    .isInstanceOf(EngineUnavailableException.class)
                    .hasMessageContaining("127.0.0.1:" + b.port).hasMessageContaining("was not created");
            assertThat(onA.listConfigs()).as("rolled back on the agent that took it")
                    .extracting(ConfigObject::nativeId).containsExactly("demo/secret/db");
            assertThatThrownBy(() -> client.rotateConfig("demo/secret/db", Map.of("password", "q")))
                    .isInstanceOf(EngineUnavailableException.class).hasMessageContaining("127.0.0.1:" + b.port);
            assertThat(onA.listConfigs().get(0).version()).as("rotated where it could be").isEqualTo("2");
        } finally {
            a.close();
            b.close();
        }
    }
}
