package io.gantry.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.json.Json;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class MarathonPodWriterTest {
    private final JsonNode pod = Json.parse("""
            {"id": "/web", "version": "2024-01-01T00:00:00Z", "versionInfo": {"lastScalingAt": "x"},
             "labels": {"team": "a"}, "scaling": {"kind": "fixed", "instances": 1, "maxInstances": 9},
             "containers": [{"name": "c", "resources": {"cpus": 0.1, "mem": 32}}], "volumes": [{"name": "v"}]}
            """);

    @Test
    void scalingKeepsEverythingButTheVersion() {
        ObjectNode scaled = MarathonPodWriter.scaled(pod, 4);
        assertThat(scaled.path("scaling").path("instances").asInt()).isEqualTo(4);
        assertThat(scaled.path("scaling").path("maxInstances").asInt()).isEqualTo(9);
        assertThat(scaled.has("version")).isFalse();
        assertThat(scaled.has("versionInfo")).isFalse();
        assertThat(scaled.path("containers")).isEqualTo(pod.path("containers"));
        assertThat(scaled.path("volumes")).isEqualTo(pod.path("volumes"));
        assertThat(pod.path("scaling").path("instances").asInt()).as("the read definition is not changed").isEqualTo(1);

        ObjectNode unscaled = MarathonPodWriter.scaled(Json.parse("{\"id\": \"/bare\"}"), 0);
        assertThat(unscaled.path("scaling").path("kind").asString()).isEqualTo("fixed");
        assertThat(unscaled.path("scaling").path("instances").asInt()).isZero();
    }

    @Test
    void restartingChangesOneLabel() {
        Instant now = Instant.parse("2025-02-03T04:05:06Z");
        ObjectNode restarted = MarathonPodWriter.restarted(pod, now);
        assertThat(restarted.path("labels").path("team").asString()).isEqualTo("a");
        assertThat(restarted.path("labels").path(MarathonPodWriter.RESTARTED_LABEL).asString())
                .isEqualTo("2025-02-03T04:05:06Z");
        assertThat(restarted.has("version")).isFalse();
        assertThat(pod.path("labels").has(MarathonPodWriter.RESTARTED_LABEL)).isFalse();
        assertThat(MarathonPodWriter.restarted(Json.parse("{\"id\": \"/bare\"}"), now).path("labels").size()).isEqualTo(1);
    }
}
