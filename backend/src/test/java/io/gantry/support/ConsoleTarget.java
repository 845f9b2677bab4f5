package io.gantry.support;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A running instance to open consoles in, for the browser tests of the console and the audit replay. The one place
 * that picks the engine behind them: {@link #onFakeEngine} runs commands as local processes without a pty (so a
 * command's output is not preceded by its own echo, and tests type commands whose output is computed). A variant on
 * a real engine's instance (the agent's) belongs beside it.
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

    /** The console WebSocket's path (no query). */
    public String execPath() {
        return "/api/v1/workloads/" + workloadId + "/instances/" + instance + "/exec";
    }

    /** The workload's page, where each instance has its Console button. */
    public String workloadPage() {
        return "/workloads/" + workloadId;
    }
}
