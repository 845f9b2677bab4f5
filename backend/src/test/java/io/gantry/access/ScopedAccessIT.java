package io.gantry.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import io.gantry.support.StreamRecorder;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A user whose global role is NONE, on a team with OPERATOR on one engine's {@code team-a*} namespaces, and with VIEWER
 * of their own on all of a second engine: lists, totals, reads by id, actions, engines and the live stream are all cut
 * to those grants, and what is outside them is a 404 as if it did not exist. {@link #noReadShowsAnythingOutsideTheGrants}
 * walks every GET route of the API document.
 */
class ScopedAccessIT extends IntegrationTest {
    /** Names found nowhere else, so that any answer carrying them is a leak. */
    static final String HIDDEN_NAMESPACE = "hidden-ns-91";
    static final String HIDDEN_NAME = "secret-db-7f3a";

    /** Made once for the class (users and engines outlive a test); each test reads them only. */
    private static String annToken;
    private Api admin;
    private Api ann;

    @BeforeEach
    void teamAndGrants() {
        admin = api();
        if (annToken != null) {
            ann = new Api(port, annToken);
            return;
        }
        FakeEngine a = FakeEngine.named("scope-a");
        a.put(FakeEngine.workload("team-a", "scoped-web", "nginx:1", 2, Map.of()));
        a.put(FakeEngine.workload("team-a-batch", "scoped-api", "api:1", 1, Map.of()));
        a.put(FakeEngine.workload(HIDDEN_NAMESPACE, HIDDEN_NAME, "postgres:17", 1, Map.of()));
        FakeEngine.named("scope-b").put(FakeEngine.workload("anything", "scoped-web2", "nginx:1", 1, Map.of()));
        Engines.awaitStatus(admin, Engines.register(admin, "scope-a", Map.of()), "UP");
        Engines.awaitStatus(admin, Engines.register(admin, "scope-b", Map.of()), "UP");
        await().atMost(Duration.ofSeconds(10)).until(() -> admin.get("/api/v1/workloads?engine=scope-a").json()
                .get("total").asInt() == 3 && admin.get("/api/v1/workloads?engine=scope-b").json().get("total").asInt() == 1);

        annToken = userToken("scoped-ann", "NONE");
        ann = new Api(port, annToken);
        Api.Response team = admin.post("/api/v1/teams", Map.of("name", "team-a-ops", "members", List.of("scoped-ann")));
        assertThat(team.status()).as(team.toString()).isEqualTo(201);
        assertThat(admin.post("/api/v1/grants", Map.of("team", "team-a-ops", "role", "OPERATOR", "engine", "scope-a",
                "namespace", "team-a*")).status()).isEqualTo(201);
        assertThat(admin.post("/api/v1/grants", Map.of("user", "scoped-ann", "role", "VIEWER", "engine", "scope-b"))
                .status()).isEqualTo(201);
    }

    @Test
    void listsTotalsReadsAndActionsAreCutToTheGrants() {
        JsonNode all = ann.get("/api/v1/workloads?limit=1").json();
        assertThat(all.get("total").asInt()).isEqualTo(3);
        assertThat(names(ann.get("/api/v1/workloads").json())).containsExactlyInAnyOrder("scoped-web", "scoped-api", "scoped-web2");
        assertThat(ann.get("/api/v1/workloads?engine=scope-a").json().get("total").asInt()).isEqualTo(2);

        String hidden = idOf(HIDDEN_NAME);
        String web = idOf("scoped-web");
        String web2 = idOf("scoped-web2");
        for (String path : List.of("", "/logs", "/manifest?format=compose", "/history", "/events", "/revisions", "/native")) {
            assertThat(ann.get("/api/v1/workloads/" + hidden + path).status()).as(path).isEqualTo(404);
        }
        assertThat(ann.get("/api/v1/compare?ids=" + web + "," + hidden).status()).isEqualTo(404);
        assertThat(ann.post("/api/v1/workloads/" + hidden + "/scale", Map.of("replicas", 0)).status()).isEqualTo(404);

        assertThat(ann.post("/api/v1/workloads/" + web + "/scale", Map.of("replicas", 3)).status()).isEqualTo(202);
        Api.Response viewerOnly = ann.post("/api/v1/workloads/" + web2 + "/scale", Map.of("replicas", 3));
        assertThat(viewerOnly.status()).as("VIEWER on scope-b").isEqualTo(403);
        Api.Response elsewhere = ann.post("/api/v1/workloads", Map.of("engine", "scope-a", "namespace", "team-b",
                "name", "x", "spec", Map.of("image", "nginx:1", "replicas", 1)));
        assertThat(elsewhere.status()).isEqualTo(403);
        assertThat(elsewhere.body()).contains("namespace");

        assertThat(admin.post("/api/v1/workloads/" + hidden + "/scale", Map.of("replicas", 2)).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> admin.get("/api/v1/operations?workload=" + hidden).json()
                .get("total").asInt() > 0);
        JsonNode operations = ann.get("/api/v1/operations").json();
        assertThat(operations.get("items")).isNotEmpty().allSatisfy(o ->
                assertThat(o.get("workloadId").asString()).isNotEqualTo(hidden));
        assertThat(ann.get("/api/v1/operations?workload=" + hidden).json().get("total").asInt()).isZero();

        List<String> engines = new ArrayList<>();
        ann.get("/api/v1/engines").json().get("items").forEach(e -> engines.add(e.get("name").asString()));
        assertThat(engines).containsExactlyInAnyOrder("scope-a", "scope-b");
        assertThat(ann.get("/api/v1/engines/scope-a/nodes").status()).as("a namespace grant shows no machines")
                .isEqualTo(404);
        assertThat(ann.get("/api/v1/engines/scope-b/nodes").status()).isEqualTo(200);
        JsonNode series = ann.get("/api/v1/history").json().get("engines");
        assertThat(series).allSatisfy(s -> assertThat(s.get("name").asString()).isEqualTo("scope-b"));

        for (String adminOnly : List.of("/api/v1/users", "/api/v1/audit", "/api/v1/teams", "/api/v1/grants")) {
            assertThat(ann.get(adminOnly).status()).as(adminOnly).isEqualTo(403);
        }
        JsonNode me = ann.get("/api/v1/auth/me").json();
        assertThat(me.get("role").asString()).isEqualTo("NONE");
        assertThat(me.get("grants")).hasSize(2).anySatisfy(g -> {
            assertThat(g.get("team").asString()).isEqualTo("team-a-ops");
            assertThat(g.get("namespace").asString()).isEqualTo("team-a*");
        });
    }

    @Test
    void theLiveStreamCarriesNothingFromOutsideTheGrants() throws Exception {
        try (StreamRecorder stream = new StreamRecorder(ann, "/api/v1/stream", annToken)) {
            assertThat(stream.status()).isEqualTo(200);
            FakeEngine a = FakeEngine.named("scope-a");
            a.put(FakeEngine.workload(HIDDEN_NAMESPACE, HIDDEN_NAME, "postgres:18", 1, Map.of()));
            a.put(FakeEngine.workload("team-a", "scoped-web", "nginx:2", 2, Map.of()));
            await().atMost(Duration.ofSeconds(15)).until(() -> stream.data("workload.updated").stream()
                    .anyMatch(d -> d.contains("nginx:2")));
            a.put(FakeEngine.workload(HIDDEN_NAMESPACE, HIDDEN_NAME, "postgres:19", 1, Map.of()));
            a.put(FakeEngine.workload("team-a", "scoped-web", "nginx:3", 2, Map.of()));
            await().atMost(Duration.ofSeconds(15)).until(() -> stream.data("workload.updated").stream()
                    .anyMatch(d -> d.contains("nginx:3")));
            assertThat(String.join("\n", stream.lines())).doesNotContain(HIDDEN_NAME, HIDDEN_NAMESPACE);
        }
        // a global VIEWER of its own: the admin token's streams are shared with the other tests of this context
        try (StreamRecorder everything = new StreamRecorder(admin, "/api/v1/stream", userToken("scoped-viewer", "VIEWER"))) {
            assertThat(everything.status()).isEqualTo(200);
            FakeEngine.named("scope-a").put(FakeEngine.workload(HIDDEN_NAMESPACE, HIDDEN_NAME, "postgres:20", 1, Map.of()));
            await("the same event reaches a global viewer").atMost(Duration.ofSeconds(15))
                    .until(() -> String.join("\n", everything.lines()).contains(HIDDEN_NAME));
        }
    }

    @Test
    void noReadShowsAnythingOutsideTheGrants() {
        String hidden = idOf(HIDDEN_NAME);
        List<String> leaks = new ArrayList<>();
        for (var path : admin.get("/v3/api-docs").json().get("paths").properties()) {
            if (!path.getValue().has("get") || path.getKey().startsWith("/api/v1/auth/")) {
                continue;
            }
            String target = path.getKey().replace("{id}", path.getKey().startsWith("/api/v1/engines") ? "scope-a" : hidden)
                    .replace("{instance}", HIDDEN_NAME + "-0").replace("{revision}", "1").replace("{username}", "admin");
            if (target.contains("/exec") || target.equals("/api/v1/stream")) {
                continue; // a WebSocket and an endless event stream: their own tests above and in exec
            }
            Api.Response answer = ann.get(target + (target.contains("?") ? "&" : "?") + "ids=" + hidden + "," + idOf("scoped-web")
                    + "&format=compose&from=1&to=1");
            if (answer.body().contains(HIDDEN_NAME) || answer.body().contains(HIDDEN_NAMESPACE) || answer.body().contains(hidden)
                    && answer.status() == 200) {
                leaks.add(target + " -> " + answer.status() + " " + answer.body().substring(0, Math.min(200, answer.body().length())));
            }
        }
        assertThat(leaks).isEmpty();
        assertThat(admin.get("/api/v1/workloads?q=" + HIDDEN_NAME).body()).as("the walk would see a leak")
                .contains(HIDDEN_NAME);
    }

    /** Every action route on a workload outside the grants answers as if it did not exist, and changes nothing. */
    @Test
    void noActionReachesAWorkloadOutsideTheGrants() {
        String hidden = idOf(HIDDEN_NAME);
        List<String> reached = new ArrayList<>();
        for (var path : admin.get("/v3/api-docs").json().get("paths").properties()) {
            if (!path.getKey().startsWith("/api/v1/workloads/{id}")) {
                continue;
            }
            for (var operation : path.getValue().properties()) {
                String method = operation.getKey().toUpperCase();
                if (method.equals("GET")) {
                    continue;
                }
                String target = path.getKey().replace("{id}", hidden).replace("{instance}", HIDDEN_NAME + "-0");
                Map<String, Object> body = Map.of("replicas", 0, "revision", 1, "command", List.of("true"),
                        "targetEngine", "scope-b", "spec", Map.of("image", "x:1", "replicas", 1));
                Api.Response answer = ann.send(ann.request(target).header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(Api.JSON.writeValueAsString(body))));
                if (answer.status() != 404) {
                    reached.add(method + " " + target + " -> " + answer.status() + " " + answer.body());
                }
            }
        }
        assertThat(reached).isEmpty();
        assertThat(admin.get("/api/v1/operations?workload=" + hidden).json().get("items"))
                .noneSatisfy(o -> assertThat(o.get("user").asString()).isEqualTo("scoped-ann"));
    }

    @Test
    void aUserWithNoRoleAndNoGrantReachesOnlyTheirOwnAccount() {
        Api nobody = new Api(port, userToken("scoped-nobody", "NONE"));
        assertThat(nobody.get("/api/v1/workloads").status()).isEqualTo(403);
        assertThat(nobody.get("/api/v1/engines").status()).isEqualTo(403);
        assertThat(nobody.get("/api/v1/auth/me").status()).isEqualTo(200);
        assertThat(nobody.get("/api/v1/tokens").status()).isEqualTo(200);
    }

    private String idOf(String name) {
        for (JsonNode w : admin.get("/api/v1/workloads?limit=500").json().get("items")) {
            if (w.get("name").asString().equals(name)) {
                return w.get("id").asString();
            }
        }
        throw new AssertionError("no workload " + name);
    }

    private static List<String> names(JsonNode page) {
        List<String> names = new ArrayList<>();
        page.get("items").forEach(w -> names.add(w.get("name").asString()));
        return names;
    }
}
