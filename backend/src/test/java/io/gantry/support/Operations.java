package io.gantry.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import tools.jackson.databind.JsonNode;

/** Following an operation through the API, as a client does: polls its location until it reaches a state. */
public final class Operations {
    private Operations() {
    }

    /** The operation at {@code location} once its state is {@code state} (within 10 s). */
    public static JsonNode await(Api api, String location, String state) {
        return await(api, location, state, Duration.ofSeconds(10));
    }

    public static JsonNode await(Api api, String location, String state, Duration within) {
        JsonNode[] op = new JsonNode[1];
        org.awaitility.Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            op[0] = api.get(location).json();
            assertThat(op[0].get("state").asString()).as(op[0].toString()).isEqualTo(state);
        });
        return op[0];
    }
}
