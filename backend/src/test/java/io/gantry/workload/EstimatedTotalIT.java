package io.gantry.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A workload list's total past {@code gantry.lists.exact-total-up-to} (lowered here to 5, so that a few dozen
 * workloads stand for a million) is an estimate marked {@code totalEstimated}, and the pages of filters no sort index
 * serves (q, labels, a scoped user's grants), which are fetched by their own indexes and sorted, hold the right rows
 * in the right order across cursor pages.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestPropertySource(properties = "gantry.lists.exact-total-up-to=" + EstimatedTotalIT.EXACT_UP_TO)
class EstimatedTotalIT extends IntegrationTest {
    static final int EXACT_UP_TO = 5;
    private static final int WORKLOADS = 40;

    @BeforeAll
    void oneEngineOfForty() {
        FakeEngine engine = FakeEngine.named("estimate-a");
        for (int i = 0; i < WORKLOADS; i++) {
            engine.putQuietly(FakeEngine.workload("ns-" + i % 4, "svc-" + i, "registry.example/img-" + i % 3 + ":1", 1,
                    Map.of("app", "app-" + i % 5)));
        }
        Api api = api();
        String id = Engines.register(api, "estimate-a", Map.of());
        Engines.awaitStatus(api, id, "UP");
        assertThat(api.post("/api/v1/users", Map.of("username", "estimate-viewer", "password", "password-of-estimate-viewer",
                "role", "NONE")).status()).isEqualTo(201);
        assertThat(api.post("/api/v1/grants", Map.of("user", "estimate-viewer", "role", "VIEWER", "engine", "estimate-a",
                "namespace", "ns-1")).status()).isEqualTo(201);
    }

    @Test
    void pastTheThresholdTheTotalIsAnEstimateMarkedSo() {
        JsonNode all = list(api(), "engine=estimate-a&limit=3");
        assertThat(all.get("totalEstimated").asBoolean()).isTrue();
        assertThat(all.get("total").asLong()).as("never less than what was counted").isGreaterThan(EXACT_UP_TO);
        assertThat(all.get("items")).hasSize(3);

        JsonNode few = list(api(), "engine=estimate-a&q=svc-1");
        assertThat(few.get("totalEstimated").asBoolean()).as("svc-1 and svc-10..19: 11 matches").isTrue();

        JsonNode exact = list(api(), "engine=estimate-a&namespace=ns-1&label=app=app-1");
        assertThat(exact.get("totalEstimated").asBoolean()).isFalse();
        assertThat(exact.get("total").asLong()).as("i % 4 == 1 and i % 5 == 1: 1, 21").isEqualTo(2);
        JsonNode counted = list(api(), "engine=estimate-a&q=svc-3&label=app=app-0");
        assertThat(counted.get("totalEstimated").asBoolean()).isFalse();
        assertThat(counted.get("total").asLong()).as("svc-30, svc-35").isEqualTo(2);
    }

    @Test
    void filteredPagesHoldTheMatchesInOrderAcrossCursors() {
        // q past the threshold (sorted up to an estimate) and within it (counted, so sorted), the name both ways
        assertPagesAre(api(), "engine=estimate-a&q=svc-1", 3, matching(i -> ("svc-" + i).contains("svc-1")));
        assertPagesAre(api(), "engine=estimate-a&q=SVC-2&sort=-name", 2, descending(matching(i -> ("svc-" + i).contains("svc-2"))));
        assertPagesAre(api(), "engine=estimate-a&label=app=app-3&q=svc-3", 1, matching(i -> i % 5 == 3
                && ("svc-" + i).contains("svc-3")));
        assertPagesAre(api(), "engine=estimate-a&label=app=app-3&q=svc", 2, matching(i -> i % 5 == 3));
        // labels past the threshold: found by a walk of the sort key's index, same rows
        assertPagesAre(api(), "engine=estimate-a&label=app=app-3&sort=-name", 3, descending(matching(i -> i % 5 == 3)));
        assertPagesAre(api(), "engine=estimate-a&label=app=app-4", 4, matching(i -> i % 5 == 4));
    }

    @Test
    void aScopedUsersPagesAreCutToTheGrantInSql() {
        Api viewer = new Api(port, userTokenOf("estimate-viewer"));
        JsonNode page = list(viewer, "limit=4");
        assertThat(page.get("totalEstimated").asBoolean()).as("10 in ns-1").isTrue();
        assertPagesAre(viewer, "engine=estimate-a", 4, matching(i -> i % 4 == 1));
        assertPagesAre(viewer, "q=svc-2", 2, matching(i -> i % 4 == 1 && ("svc-" + i).contains("svc-2")));
        JsonNode counted = list(viewer, "label=app=app-1");
        assertThat(counted.get("totalEstimated").asBoolean()).isFalse();
        assertThat(counted.get("total").asLong()).isEqualTo(2);
    }

    /** The names of the workloads whose number meets {@code which}, in name order. */
    private static List<String> matching(java.util.function.IntPredicate which) {
        return IntStream.range(0, WORKLOADS).filter(which).mapToObj(i -> "svc-" + i)
                .sorted(Comparator.naturalOrder()).toList();
    }

    private static List<String> descending(List<String> names) {
        List<String> reversed = new ArrayList<>(names);
        java.util.Collections.reverse(reversed);
        return reversed;
    }

    /** Walks every page of {@code query} at {@code limit} and checks the names it saw, in that order. */
    private static void assertPagesAre(Api api, String query, int limit, List<String> expected) {
        List<String> names = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = list(api, query + "&limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor));
            page.get("items").forEach(w -> names.add(w.get("name").asString()));
            cursor = page.get("nextCursor") == null || page.get("nextCursor").isNull() ? null
                    : URLEncoder.encode(page.get("nextCursor").asString(), StandardCharsets.UTF_8);
            pages++;
        } while (cursor != null && pages < 50);
        assertThat(names).as(query).containsExactlyElementsOf(expected);
    }

    private String userTokenOf(String name) {
        Api.Response token = api().post("/api/v1/auth/token", Map.of("username", name, "password", "password-of-" + name));
        assertThat(token.status()).as(token.toString()).isEqualTo(200);
        return token.json().get("token").asString();
    }

    private static JsonNode list(Api api, String query) {
        Api.Response r = api.get("/api/v1/workloads?" + Api.query(query));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }
}
