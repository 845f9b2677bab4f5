package io.gantry.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import io.gantry.agent.adapter.AgentProcess;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A running instance to open consoles in, for the browser tests of the console and the audit replay. The one place
 * that picks the engine behind them: {@link #onFakeEngine} runs commands as local processes without a pty (so a
 * command's output is not preceded by its own echo, and tests type commands whose output is computed); {@link #onAgent}
 * is a real node agent's raw task, a shell on a real pty.
 *
 * @param workloadId the workload's id in Gantry
 * @param instance   the instance's id
 * @param engine     the engine's name (a fake engine's name is also its {@link FakeEngine#named} key)
 */
public record ConsoleTarget(String workloadId, String instance, String engine) {

    /** Registers fake engine {@code engine} with one running workload "web" (instance "web-0") and waits for it. */
    public static ConsoleTarget onFakeEngine(Api api, String engine) {
        FakeEngine.named(engine).put(FakeEngine.workload("team", "web", "shell:1", 1, Map.of()));
        Engines.awaitStatus(api, Engines.register(api, engine, Map.of()), "UP");
        String id = await().atMost(Duration.ofSeconds(10)).until(() -> {
            JsonNode items = api.get("/api/v1/workloads?engine=" + engine).json().get("items");
            return items.isEmpty() ? null : items.get(0).get("id").asString();
        }, v -> v != null);
        return new ConsoleTarget(id, "web-0", engine);
    }

    /**
     * Registers the running {@code agent} as engine {@code engine} and deploys one sleeping {@code raw} task (an ADMIN's
     * to open: the caller must be one) whose instance this is.
     */
    public static ConsoleTarget onAgent(Api admin, String engine, AgentProcess agent) {
        Api.Response registered = admin.post("/api/v1/engines", Map.of("name", engine, "kind", "agent",
                "endpoint", "grpc://127.0.0.1:" + agent.port, "credentials", Map.of("token", agent.token),
                "options", Map.of("callTimeout", "30s")));
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        Engines.awaitStatus(admin, engine, "UP");
        Api.Response deploy = admin.post("/api/v1/workloads", Map.of("engine", engine, "namespace", "console",
                "name", "shell", "spec", Map.of("command", List.of("sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"),
                        "replicas", 1, "runtime", "raw")));
        assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
        String id = Operations.await(admin, deploy.location(), "SUCCEEDED", Duration.ofSeconds(60)).get("workloadId").asString();
        String path = ConsoleChecks.runningInstance(admin, id);
        return new ConsoleTarget(id, path.substring(path.lastIndexOf('/') + 1), engine);
    }

    /** The console WebSocket's path (no query). */
    public String execPath() {
        return "/api/v1/workloads/" + workloadId + "/instances/" + instance + "/exec";
    }

    /** The workload's page, where each instance has its Console button. */
    public String workloadPage() {
        return "/workloads/" + workloadId;
    }
}
