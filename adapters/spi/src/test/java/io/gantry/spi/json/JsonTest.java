package io.gantry.spi.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class JsonTest {
    private final JsonNode doc = Json.parse("""
            {"name": "web", "empty": "", "nothing": null, "count": 3, "big": 12345678901, "cpus": 0.5,
             "on": true, "off": false, "flag": "true", "obj": {"a": 1}, "list": ["x", 2, null, {"n": 1}, "y"],
             "labels": {"a": "1", "b": 2, "c": null, "d": ["e"]},
             "created": "2024-05-01T10:00:00.5Z", "never": "0001-01-01T00:00:00Z", "bad": "yesterday"}
            """);

    @Test
    void missingNullAndWronglyTypedAreAllAbsent() {
        assertThat(Json.text(doc, "name")).isEqualTo("web");
        assertThat(Json.text(doc, "count")).isEqualTo("3");
        assertThat(Json.text(doc, "empty")).isNull();
        assertThat(Json.text(doc, "nothing")).isNull();
        assertThat(Json.text(doc, "obj")).isNull();
        assertThat(Json.text(doc, "missing")).isNull();
        assertThat(Json.text(null, "name")).isNull();
        assertThat(Json.text(doc, "empty", "fallback")).isEqualTo("fallback");
        assertThat(Json.text(doc, "name", "fallback")).isEqualTo("web");

        assertThat(Json.integer(doc, "count")).isEqualTo(3);
        assertThat(Json.integer(doc, "name")).isNull();
        assertThat(Json.intOr(doc, "nothing", 7)).isEqualTo(7);
        assertThat(Json.longValue(doc, "big")).isEqualTo(12345678901L);
        assertThat(Json.longValue(doc, "flag")).isNull();
        assertThat(Json.doubleValue(doc, "cpus")).isEqualTo(0.5);
        assertThat(Json.doubleValue(null, "cpus")).isNull();

        assertThat(Json.bool(doc, "on")).isTrue();
        assertThat(Json.bool(doc, "off")).isFalse();
        assertThat(Json.bool(doc, "flag")).as("a string is not a boolean").isFalse();

        assertThat(Json.present(doc.get("nothing"))).isFalse();
        assertThat(Json.present(doc.path("missing"))).isFalse();
        assertThat(Json.present(null)).isFalse();
        assertThat(Json.present(doc.get("empty"))).isTrue();
    }

    @Test
    void containers() {
        assertThat(Json.object(doc, "obj").path("a").asInt()).isEqualTo(1);
        assertThat(Json.object(doc, "list")).isNull();
        assertThat(Json.array(doc, "list")).hasSize(5);
        assertThat(Json.array(doc, "obj")).isEmpty();
        assertThat(Json.array(null, "list")).isEmpty();
        assertThat(Json.strings(doc, "list")).containsExactly("x", "2", "y");
        assertThat(Json.strings(doc.path("list"))).containsExactly("x", "2", "y");
        assertThat(Json.strings(doc, "missing")).isEmpty();
        assertThat(Json.stringMap(doc.path("labels")))
                .containsExactly(Map.entry("a", "1"), Map.entry("b", "2"), Map.entry("d", "[\"e\"]"));
        assertThat(Json.stringMap(doc.path("missing"))).isEmpty();
    }

    @Test
    void timesWithGoZeroTimeAsNeverSet() {
        assertThat(Json.instant(doc, "created")).isEqualTo(Instant.parse("2024-05-01T10:00:00.5Z"));
        assertThat(Json.instant(doc, "never")).isNull();
        assertThat(Json.instant(doc, "bad")).isNull();
        assertThat(Json.instant(doc, "missing")).isNull();
    }

    @Test
    void blankBodiesAreEmptyObjects() {
        assertThat(Json.parse(null).isObject()).isTrue();
        assertThat(Json.parse("  ").isEmpty()).isTrue();
    }
}
