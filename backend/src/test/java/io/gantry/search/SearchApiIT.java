package io.gantry.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.spi.Node;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /api/v1/search} on the real server and PostgreSQL: one workload per way of matching "quokka" (a word no
 * other test uses), ranked in the documented order; engines, pages and operations beside them; a scoped user finds
 * nothing outside their grants.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchApiIT extends IntegrationTest {
    private Api admin;

    @BeforeAll
    void engines() {
        admin = api();
        FakeEngine a = FakeEngine.named("search-a");
        a.putQuietly(FakeEngine.workload("wild", "quokka", "zoo/plain:1", 1, Map.of()));
        a.putQuietly(FakeEngine.workload("wild", "quokka-api", "zoo/plain:1", 1, Map.of()));
        a.putQuietly(FakeEngine.workload("wild", "big-quokka", "zoo/plain:1", 1, Map.of()));
        a.putQuietly(FakeEngine.workload("wild", "lemur", "zoo/plain:1", 1, Map.of("pet", "quokka-friend")));
        a.putQuietly(FakeEngine.workload("wild", "otter", "registry.local/quokka-img:2", 1, Map.of()));
        // FakeEngine's native id is namespace/name: only the native id of this one says quokka
        a.putQuietly(FakeEngine.workload("quokkaland", "badger", "zoo/plain:1", 1, Map.of()));
        for (int i = 0; i < 8; i++) {
            a.putQuietly(FakeEngine.workload("wild", "wallaby-" + i, "zoo/plain:1", 1, Map.of()));
        }
        a.nodes(new Node("quokka-node-7", "10.9.8.7", "READY", "worker", 2000L, 4L << 30, Map.of()));
        FakeEngine.named("search-b").putQuietly(FakeEngine.workload("vault", "quokka-secret", "zoo/plain:1", 1, Map.of()));
        String idA = Engines.register(admin, "search-a", Map.of());
        String idB = Engines.register(admin, "search-b", Map.of());
        Engines.awaitStatus(admin, idA, "UP");
        Engines.awaitStatus(admin, idB, "UP");
        await().atMost(Duration.ofSeconds(10)).until(() -> admin.get("/api/v1/workloads?engine=search-a").json()
                .get("total").asInt() == 14 && admin.get("/api/v1/workloads?engine=search-b").json().get("total").asInt() == 1);
    }

    @Test
    void workloadsRankByExactNamePrefixPartLabelValueImageThenNativeId() {
        JsonNode items = search(admin, "quokka").get("items");
        // within a rank, shorter names first: both prefixes before any part-of match
        assertThat(titles(items, "workload")).containsExactly("quokka", "quokka-api", "quokka-secret", "big-quokka",
                "lemur", "otter", "badger");
    }

    @Test
    void eachWayOfMatchingOnItsOwn() {
        assertThat(first(admin, "QUOKKA").get("title").asString()).as("exact, regardless of case").isEqualTo("quokka");
        assertThat(titles(search(admin, "quokka-fr").get("items"), "workload")).as("a label value").containsExactly("lemur");
        assertThat(titles(search(admin, "quokka-img").get("items"), "workload")).as("the image").containsExactly("otter");
        assertThat(titles(search(admin, "quokkaland/").get("items"), "workload")).as("the native id")
                .containsExactly("badger");
        JsonNode hit = first(admin, "quokka");
        assertThat(hit.get("type").asString()).isEqualTo("workload");
        assertThat(hit.get("url").asString()).isEqualTo("/workloads/" + hit.get("id").asString());
        assertThat(hit.get("subtitle").asString()).contains("search-a", "wild", "zoo/plain:1");
        // two characters: names by exact value and prefix only (no trigram to look up for a part)
        List<String> short_ = titles(search(admin, "qu").get("items"), "workload");
        assertThat(short_).contains("quokka", "quokka-api").doesNotContain("big-quokka", "lemur", "otter");
    }

    @Test
    void limitCutsTheMergedList() {
        assertThat(search(admin, "wallaby", 3).get("items")).hasSize(3);
        assertThat(titles(search(admin, "wallaby", 50).get("items"), "workload")).hasSize(8);
        assertThat(search(admin, "wallaby").get("items")).hasSize(8);
    }

    @Test
    void enginesPagesAndOperationsBesideWorkloads() {
        JsonNode engine = first(admin, "search-a");
        assertThat(engine.get("type").asString()).isEqualTo("engine");
        assertThat(engine.get("url").asString()).isEqualTo("/workloads?engine=search-a");

        JsonNode page = first(admin, "Dashb");
        assertThat(page.get("type").asString()).isEqualTo("page");
        assertThat(page.get("url").asString()).isEqualTo("/");
        assertThat(titles(search(admin, "Audit").get("items"), "page")).containsExactly("Audit");

        String wallaby = search(admin, "wallaby-3").get("items").get(0).get("id").asString();
        Api.Response scaled = admin.post("/api/v1/workloads/" + wallaby + "/scale", Map.of("replicas", 2));
        assertThat(scaled.status()).as(scaled.toString()).isEqualTo(202);
        String operation = scaled.json().get("id").asString();
        JsonNode found = first(admin, operation.substring(0, 8));
        assertThat(found.get("type").asString()).isEqualTo("operation");
        assertThat(found.get("id").asString()).isEqualTo(operation);
        assertThat(found.get("title").asString()).isEqualTo("scale " + operation.substring(0, 8));
        assertThat(found.get("url").asString()).isEqualTo("/workloads/" + wallaby);
        assertThat(first(admin, operation).get("id").asString()).as("the whole id").isEqualTo(operation);
    }

    @Test
    void nodesAsTheEnginesLastListedThem() {
        await().atMost(Duration.ofSeconds(20)).until(() -> !titles(search(admin, "quokka-node").get("items"), "node").isEmpty());
        JsonNode node = first(admin, "quokka-node-7");
        assertThat(node.get("type").asString()).isEqualTo("node");
        assertThat(node.get("id").asString()).isEqualTo("search-a/quokka-node-7");
        assertThat(node.get("subtitle").asString()).isEqualTo("node of search-a · ready · worker · 10.9.8.7");
        assertThat(node.get("url").asString()).isEqualTo("/nodes#search-a");
        assertThat(titles(search(admin, "10.9.8.7").get("items"), "node")).as("by its address").containsExactly("quokka-node-7");
    }

    @Test
    void badInputIsA400NamingTheParameter() {
        for (String query : List.of("", "q=", "q=%20%20", "q=" + "x".repeat(201))) {
            Api.Response r = admin.get("/api/v1/search?" + query);
            assertThat(r.status()).as(query).isEqualTo(400);
            assertThat(r.json().get("errors").get(0).get("field").asString()).isEqualTo("q");
        }
        for (String limit : List.of("0", "51", "-1", "many")) {
            Api.Response r = admin.get("/api/v1/search?q=quokka&limit=" + limit);
            assertThat(r.status()).as(limit).isEqualTo(400);
            assertThat(r.body()).contains("limit");
        }
        assertThat(admin.get("/api/v1/search?q=" + "x".repeat(200)).status()).isEqualTo(200);
        assertThat(admin.get("/api/v1/search?q=100%25_%5C").status()).as("LIKE's own characters").isEqualTo(200);
    }

    @Test
    void aScopedUserFindsNothingOutsideTheirGrants() {
        Api bea = new Api(port, userToken("search-bea", "NONE"));
        assertThat(bea.get("/api/v1/search?q=quokka").status()).as("no role, no grant").isEqualTo(403);
        assertThat(admin.post("/api/v1/grants", Map.of("user", "search-bea", "role", "VIEWER", "engine", "search-a",
                "namespace", "wild")).status()).isEqualTo(201);

        JsonNode items = search(bea, "quokka").get("items");
        assertThat(titles(items, "workload")).containsExactly("quokka", "quokka-api", "big-quokka", "lemur", "otter");
        assertThat(items.toString()).doesNotContain("quokka-secret", "vault", "badger", "quokkaland");
        assertThat(titles(search(bea, "search-").get("items"), "engine")).containsExactly("search-a");
        await().atMost(Duration.ofSeconds(20)).until(() -> !titles(search(admin, "quokka-node").get("items"), "node").isEmpty());
        assertThat(titles(search(bea, "quokka-node").get("items"), "node")).as("a node needs the whole engine").isEmpty();
        assertThat(titles(search(bea, "Audit").get("items"), "page")).as("an admin's page").isEmpty();
        assertThat(titles(search(bea, "Deploy").get("items"), "page")).as("an operator's page").isEmpty();
        assertThat(titles(search(bea, "Workloads").get("items"), "page")).containsExactly("Workloads");

        String secret = search(admin, "quokka-secret").get("items").get(0).get("id").asString();
        Api.Response scaled = admin.post("/api/v1/workloads/" + secret + "/scale", Map.of("replicas", 2));
        String operation = scaled.json().get("id").asString();
        assertThat(first(admin, operation).get("id").asString()).isEqualTo(operation);
        assertThat(search(bea, operation).get("items")).as("an operation outside the grants").isEmpty();
    }

    private static JsonNode search(Api api, String q) {
        return search(api, q, null);
    }

    private static JsonNode search(Api api, String q, Integer limit) {
        Api.Response r = api.get("/api/v1/search?q=" + java.net.URLEncoder.encode(q, java.nio.charset.StandardCharsets.UTF_8)
                + (limit == null ? "" : "&limit=" + limit));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static JsonNode first(Api api, String q) {
        JsonNode items = search(api, q).get("items");
        assertThat(items).as(q).isNotEmpty();
        return items.get(0);
    }

    private static List<String> titles(JsonNode items, String type) {
        List<String> titles = new ArrayList<>();
        items.forEach(i -> {
            if (i.get("type").asString().equals(type)) {
                titles.add(i.get("title").asString());
            }
        });
        return titles;
    }
}
