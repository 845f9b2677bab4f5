package io.gantry.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.HostileDocuments;
import io.gantry.spi.ManifestLimits;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Issue 13: a small document that expands to billions of values (a YAML alias bomb, a JSON array of
 * 150,000 values) is a 400 problem naming the parse budget, for every format and for a kubeconfig;
 * the server answers instead of running out of heap.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ParseBudgetIT extends IntegrationTest {
    private static final String NODE_BUDGET = "more than " + ManifestLimits.MAX_NODES + " nodes";
    private FakeEngine target;

    @BeforeAll
    void engine() {
        target = FakeEngine.named("budget-target");
        Engines.awaitStatus(api(), Engines.register(api(), "budget-target", Map.of()), "UP");
    }

    @Test
    void anAliasBombIsABadRequestForEveryYamlFormat() {
        for (String format : new String[] {"kubernetes", "compose"}) {
            assertRefused(importing(format, HostileDocuments.aliasBomb()), "manifest", NODE_BUDGET);
        }
    }

    @Test
    void aHugeJsonDocumentIsABadRequestForEveryJsonFormat() {
        String marathon = "{\"id\": \"/web\", \"cmd\": \"x\", \"args\": " + HostileDocuments.wideJson(150_000) + "}";
        String agent = "{\"id\": \"web\", \"spec\": {\"args\": " + HostileDocuments.wideJson(150_000) + "}}";
        assertRefused(importing("marathon", marathon), "manifest", NODE_BUDGET);
        assertRefused(importing("agent", agent), "manifest", NODE_BUDGET);
        assertRefused(importing("kubernetes", HostileDocuments.wideJson(150_000)), "manifest", NODE_BUDGET);
        assertRefused(importing("marathon", "{\"apps\": " + HostileDocuments.deepJson(5_000) + "}"), "manifest",
                "deeper than " + ManifestLimits.MAX_NESTING);
        // the JSON formats do not read YAML: the bomb is not JSON, and is never expanded either
        assertRefused(importing("marathon", HostileDocuments.aliasBomb()), "manifest", "not valid JSON");
        assertRefused(importing("agent", HostileDocuments.aliasBomb()), "manifest", "not valid JSON");
    }

    @Test
    void aKubernetesObjectWithoutTypeMetaIsABadRequestNamingTheField() {
        assertRefused(importing("kubernetes", "metadata: {name: web}\nspec: {replicas: 1}\n"), "manifest.apiVersion",
                "is required");
    }

    @Test
    void aKubeconfigAliasBombIsABadRequestAndNoEngineIsRegistered() {
        Api.Response r = api().post("/api/v1/engines", Map.of("name", "budget-kubeconfig", "kind", "kubernetes",
                "endpoint", "https://127.0.0.1:6443", "credentials", Map.of("kubeconfig", HostileDocuments.aliasBomb())));
        assertRefused(r, "credentials.kubeconfig", NODE_BUDGET);
        assertThat(api().get("/api/v1/engines/budget-kubeconfig").status()).isEqualTo(404);
    }

    private Api.Response importing(String format, String manifest) {
        long start = System.nanoTime();
        Api.Response r = api().post("/api/v1/workloads/import", Map.of("engine", "budget-target", "format", format,
                "manifest", manifest));
        // a guard, not a benchmark: an expansion takes minutes and gigabytes, a refusal milliseconds
        assertThat((System.nanoTime() - start) / 1_000_000).as(format).isLessThan(10_000);
        return r;
    }

    private void assertRefused(Api.Response r, String field, String message) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonNode error = r.json().get("errors").get(0);
        assertThat(error.get("field").asString()).as(r.toString()).isEqualTo(field);
        assertThat(error.get("message").asString()).as(r.toString()).contains(message);
        assertThat(target.calls()).noneMatch(c -> c.startsWith("deploy"));
    }
}
