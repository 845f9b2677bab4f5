package io.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.agent.adapter.AgentProcess;
import io.gantry.spi.Capability;
import io.gantry.spi.RequiredEngine;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import io.gantry.support.Operations;
import io.gantry.swarm.LocalSwarm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue 20's "Done when" for bulk actions, on the real node agent daemon and the real Swarm of this machine together:
 * a label selector matching 12 workloads (6 raw sleepers on the agent, 6 services on Swarm) previews 12 items grouped
 * by engine; a scale with {@code batchSize=4, stopOnFailure=true} brings all 12 to the new count in three batches, each
 * starting after the one before is RUNNING again; a wider selector takes in a Swarm global service (Swarm cannot
 * scale it: no replica count) and a workload on an engine without the scale capability (a fake one: both real engines
 * can scale), lists them refused with the reason, and the run skips them; an {@code expectTotal} mismatch is a 409.
 */
class BulkEndToEndIT extends IntegrationTest {
    private static final String PREFIX = "e2e-bulk-";
    private static final List<String> SLEEPER = List.of("sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait");
    private static final Duration SETTLE = Duration.ofSeconds(90);

    @Test
    void twelveWorkloadsOnTheAgentAndSwarmScaleInThreeBatches() throws Exception {
        RequiredEngine.require(LocalSwarm.available(), LocalSwarm.REQUIRED);
        Api api = api();
        List<String> services = new ArrayList<>();
        Path root = Files.createTempDirectory(Path.of("target"), "bulk-e2e-");
        try (AgentProcess agent = new AgentProcess(root.resolve("agent")).start()) {
            Api.Response registered = api.post("/api/v1/engines", Map.of("name", "bulk-agent", "kind", "agent",
                    "endpoint", "grpc://127.0.0.1:" + agent.port, "credentials", Map.of("token", agent.token),
                    "options", Map.of("callTimeout", "30s")));
            assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
            Api.Response swarm = api.post("/api/v1/engines", Map.of("name", "bulk-swarm", "kind", "swarm",
                    "endpoint", "unix://" + LocalSwarm.SOCKET, "credentials", Map.of()));
            assertThat(swarm.status()).as(swarm.toString()).isEqualTo(201);
            FakeEngine noScale = FakeEngine.named("bulk-noscale");
            noScale.without(Capability.SCALE);
            noScale.putQuietly(FakeEngine.workload("bulk", "cannot-scale", "nginx:1", 1, Map.of("bulk", "e2e")));
            Engines.register(api, "bulk-noscale", Map.of());
            Engines.awaitStatus(api, "bulk-agent", "UP");
            Engines.awaitStatus(api, "bulk-swarm", "UP");
            Engines.awaitStatus(api, "bulk-noscale", "UP");

            List<String> deploys = new ArrayList<>();
            Map<String, String> labels = Map.of("bulk", "e2e", "set", "twelve", LocalSwarm.TEST_LABEL, "e2e");
            for (int i = 0; i < 6; i++) {
                deploys.add(deploy(api, Map.of("engine", "bulk-agent", "namespace", "bulk", "name", "sleeper-" + i,
                        "labels", labels, "spec", Map.of("command", SLEEPER, "replicas", 1, "runtime", "raw"))));
                services.add(PREFIX + i);
                deploys.add(deploy(api, Map.of("engine", "bulk-swarm", "name", PREFIX + i, "kind", "SERVICE",
                        "labels", labels, "spec", Map.of("image", LocalSwarm.IMAGE, "args", SLEEPER, "replicas", 1))));
            }
            services.add(PREFIX + "global");
            LocalSwarm.docker("service", "create", "-d", "--no-resolve-image", "--name", PREFIX + "global", "--mode",
                    "global", "--label", LocalSwarm.TEST_LABEL + "=e2e", "--label", "bulk=e2e", LocalSwarm.IMAGE,
                    "sleep", "3600");
            deploys.forEach(location -> Operations.await(api, location, "SUCCEEDED", SETTLE));
            awaitAll(api, "set=twelve", 12, 1);
            await().atMost(SETTLE).until(() -> api.get("/api/v1/workloads?label=bulk=e2e").json().get("total").asInt() == 14);

            // the preview: 12 items, grouped by engine, each with the replicas diff; nothing changes
            Map<String, Object> twelve = Map.of("label", List.of("set=twelve"));
            Api.Response preview = api.post("/api/v1/bulk/preview", Map.of("selector", twelve, "action", "scale",
                    "params", Map.of("replicas", 2)));
            assertThat(preview.status()).as(preview.toString()).isEqualTo(200);
            JsonNode plan = preview.json();
            assertThat(plan.get("total").asInt()).isEqualTo(12);
            assertThat(plan.get("byEngine").get("bulk-agent").asInt()).isEqualTo(6);
            assertThat(plan.get("byEngine").get("bulk-swarm").asInt()).isEqualTo(6);
            assertThat(plan.get("items").findValuesAsString("engine").subList(0, 6)).containsOnly("bulk-agent");
            assertThat(plan.get("items")).allSatisfy(i -> assertThat(i.get("allowed").asBoolean()).as(i.toString()).isTrue());
            assertThat(plan.get("items").get(7).get("change").toString()).contains("spec.replicas").contains("[1,2]");

            // the run: three batches of four, each after the one before is RUNNING again
            Api.Response started = api.post("/api/v1/bulk", Map.of("selector", twelve, "action", "scale",
                    "params", Map.of("replicas", 2), "batchSize", 4, "stopOnFailure", true, "expectTotal", 12));
            assertThat(started.status()).as(started.toString()).isEqualTo(202);
            assertThat(started.json().get("operations")).hasSize(4);
            JsonNode run = awaitEnd(api, started.json().get("id").asString());
            assertThat(run.get("state").asString()).as(run.toString()).isEqualTo("SUCCEEDED");
            assertThat(run.get("batches")).hasSize(3)
                    .allSatisfy(b -> {
                        assertThat(b.get("state").asString()).isEqualTo("SUCCEEDED");
                        assertThat(b.get("total").asInt()).isEqualTo(4);
                    });
            for (int batch = 2; batch <= 3; batch++) {
                assertThat(earliestStart(api, run, batch)).as("batch " + batch + " starts after the one before ended")
                        .isAfter(latestEnd(api, run, batch - 1));
            }
            awaitAll(api, "set=twelve", 12, 2);
            for (int i = 0; i < 6; i++) {
                assertThat(LocalSwarm.docker("service", "inspect", "--format", "{{.Spec.Mode.Replicated.Replicas}}",
                        PREFIX + i).trim()).isEqualTo("2");
            }

            // a wider selector: the global service and the engine without scale are refused, and the run skips them
            Map<String, Object> wider = Map.of("label", List.of("bulk=e2e"));
            JsonNode widerPlan = api.post("/api/v1/bulk/preview", Map.of("selector", wider, "action", "scale",
                    "params", Map.of("replicas", 1))).json();
            assertThat(widerPlan.get("total").asInt()).isEqualTo(14);
            assertThat(refusal(widerPlan, "cannot-scale")).contains("engine 'bulk-noscale'").contains("cannot scale");
            assertThat(refusal(widerPlan, PREFIX + "global")).contains("DAEMON has no replica count");
            Api.Response mismatch = api.post("/api/v1/bulk", Map.of("selector", wider, "action", "scale",
                    "params", Map.of("replicas", 1), "expectTotal", 12));
            assertThat(mismatch.status()).as(mismatch.toString()).isEqualTo(409);
            assertThat(mismatch.json().get("detail").asString()).contains("14");

            Api.Response back = api.post("/api/v1/bulk", Map.of("selector", wider, "action", "scale",
                    "params", Map.of("replicas", 1), "batchSize", 6, "expectTotal", 14));
            assertThat(back.status()).as(back.toString()).isEqualTo(202);
            JsonNode backRun = awaitEnd(api, back.json().get("id").asString());
            assertThat(backRun.get("state").asString()).as(backRun.toString()).isEqualTo("SUCCEEDED");
            assertThat(backRun.get("items")).filteredOn(i -> i.get("state").asString().equals("SKIPPED"))
                    .extracting(i -> i.get("workloadName").asString())
                    .containsExactlyInAnyOrder("cannot-scale", PREFIX + "global");
            assertThat(noScale.calls()).noneMatch(c -> c.startsWith("scale"));
            awaitAll(api, "set=twelve", 12, 1);
        } finally {
            for (String engine : List.of("bulk-agent", "bulk-swarm", "bulk-noscale")) {
                api.delete("/api/v1/engines/" + engine);
            }
            LocalSwarm.removeServices(services.toArray(String[]::new));
        }
    }

    private static String deploy(Api api, Map<String, Object> body) {
        Api.Response r = api.post("/api/v1/workloads", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        return r.location();
    }

    /** Every workload of the label selector at {@code replicas} and RUNNING, as Gantry shows them. */
    private static void awaitAll(Api api, String label, int count, int replicas) {
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode items = api.get("/api/v1/workloads?label=" + label + "&limit=100").json().get("items");
            assertThat(items).hasSize(count).allSatisfy(w -> {
                assertThat(w.get("spec").get("replicas").asInt()).as(w.get("name").asString()).isEqualTo(replicas);
                assertThat(w.get("status").get("running").asInt()).as(w.get("name").asString()).isEqualTo(replicas);
                assertThat(w.get("status").get("phase").asString()).isEqualTo("RUNNING");
            });
        });
    }

    private static JsonNode awaitEnd(Api api, String id) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
            last[0] = api.get("/api/v1/bulk/" + id).json();
            return !last[0].get("state").asString().equals("RUNNING");
        });
        return last[0];
    }

    private static Instant earliestStart(Api api, JsonNode run, int batch) {
        return operations(api, run, batch).stream().map(o -> Instant.parse(o.get("createdAt").asString()))
                .min(Instant::compareTo).orElseThrow();
    }

    private static Instant latestEnd(Api api, JsonNode run, int batch) {
        return operations(api, run, batch).stream().map(o -> Instant.parse(o.get("finishedAt").asString()))
                .max(Instant::compareTo).orElseThrow();
    }

    private static List<JsonNode> operations(Api api, JsonNode run, int batch) {
        List<JsonNode> ops = new ArrayList<>();
        for (JsonNode item : run.get("items")) {
            if (item.get("batch").asInt() == batch) {
                ops.add(api.get("/api/v1/operations/" + item.get("operationId").asString()).json());
            }
        }
        return ops;
    }

    private static String refusal(JsonNode plan, String name) {
        for (JsonNode item : plan.get("items")) {
            if (item.get("workload").get("name").asString().equals(name)) {
                assertThat(item.get("allowed").asBoolean()).as(item.toString()).isFalse();
                return item.get("reason").asString();
            }
        }
        throw new AssertionError("no item " + name + " in " + plan);
    }
}
