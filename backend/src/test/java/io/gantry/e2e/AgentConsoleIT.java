package io.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.agent.adapter.AgentProcess;
import io.gantry.agent.adapter.BusyboxImage;
import io.gantry.spi.RequiredEngine;
import io.gantry.support.Api;
import io.gantry.support.ConsoleChecks;
import io.gantry.support.ConsoleClient;
import io.gantry.support.Engines;
import io.gantry.support.IntegrationTest;
import io.gantry.support.Operations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Consoles on a real node agent daemon, through the API's WebSocket: a {@code raw} task (a host process: ADMIN
 * only) and a {@code runc} container (an OPERATOR's), each answering a typed command, resizing and exiting with a
 * code, as {@link ConsoleChecks} asks of every engine.
 */
class AgentConsoleIT extends IntegrationTest {
    private static final String NAMESPACE = "console";
    private static final List<String> SLEEPER = List.of("sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait");

    @Test
    void rawAndRuncTasksHaveAConsoleAndOnlyAnAdminGetsTheRawOne() throws Exception {
        RequiredEngine.requireRoot("runc creates containers");
        RequiredEngine.requireCommand("runc", "apt-get install -y runc");
        RequiredEngine.require(Files.isExecutable(BusyboxImage.BUSYBOX), "busybox-static (apt-get install -y busybox-static)");
        Api admin = api();
        String operator = userToken("console-operator", "OPERATOR");
        Path root = Files.createTempDirectory(Path.of("target"), "agent-console-");
        try (AgentProcess agent = new AgentProcess(root.resolve("agent")).start()) {
            BusyboxImage.importInto(agent, NAMESPACE, "busybox:console", BusyboxImage.tarball(root,
                    List.of("sh", "stty", "echo", "sleep")));
            Api.Response registered = admin.post("/api/v1/engines", Map.of("name", "console-agent", "kind", "agent",
                    "endpoint", "grpc://127.0.0.1:" + agent.port, "credentials", Map.of("token", agent.token),
                    "options", Map.of("callTimeout", "30s")));
            assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
            Engines.awaitStatus(admin, "console-agent", "UP");
            JsonNode engine = admin.get("/api/v1/engines/console-agent").json();
            assertThat(engine.get("capabilities").toString()).contains("exec");

            String raw = deploy(admin, Map.of("command", SLEEPER, "replicas", 1, "runtime", "raw"), "hosted");
            String boxed = deploy(new Api(port, operator), Map.of("image", "busybox:console", "command", SLEEPER,
                    "replicas", 1, "runtime", "runc"), "boxed");

            String rawInstance = ConsoleChecks.runningInstance(admin, raw);
            assertThatThrownBy(() -> ConsoleClient.open(port, rawInstance + "/exec?command=sh", operator))
                    .isInstanceOfSatisfying(ConsoleClient.Refused.class, r -> {
                        assertThat(r.status()).isEqualTo(403);
                        assertThat(r.body()).contains("only an ADMIN");
                    });
            ConsoleChecks.shellWorks(port, rawInstance, ADMIN_TOKEN, admin);
            ConsoleChecks.shellWorks(port, ConsoleChecks.runningInstance(admin, boxed), operator, admin);
        } finally {
            admin.delete("/api/v1/engines/console-agent");
        }
    }

    private static String deploy(Api api, Map<String, Object> spec, String name) {
        Api.Response deploy = api.post("/api/v1/workloads", Map.of("engine", "console-agent", "namespace", NAMESPACE,
                "name", name, "spec", spec));
        assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
        return Operations.await(api, deploy.location(), "SUCCEEDED", Duration.ofSeconds(60)).get("workloadId").asString();
    }
}
