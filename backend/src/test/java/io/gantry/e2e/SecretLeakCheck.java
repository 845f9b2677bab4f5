package io.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.support.Api;
import io.gantry.support.StreamRecorder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.test.system.CapturedOutput;

/**
 * Issue 21's redaction check for an end-to-end test on a real engine: it keeps every API answer the test got (the
 * caller leaves out the task's own log output, where a probe may print what it was given), then adds what the server
 * holds about the run (audit, operations, events, the workloads' native objects, manifests and revisions), the live
 * stream and the server's console output, and asserts that no secret value appears in any of them. Each place must
 * have recorded something, so that an empty capture cannot pass for a clean one.
 */
final class SecretLeakCheck {
    private final Api api;
    private final List<String> answers = new ArrayList<>();

    SecretLeakCheck(Api api) {
        this.api = api;
    }

    /** Keeps {@code response} to search later; returns it. */
    Api.Response seen(Api.Response response) {
        answers.add(response.toString());
        return response;
    }

    /** Keeps an answer the test got by way of a helper (e.g. an awaited operation); returns it. */
    String seen(String answer) {
        answers.add(answer);
        return answer;
    }

    /**
     * Asserts that none of {@code values} is in any answer kept, nor in what the server now answers about the run.
     *
     * @param workloadIds workloads the test made, whose native objects, manifests and revisions are searched too
     *     (while they exist)
     * @param logMarker a text the server's log must contain (e.g. the object's name), proving the log was captured
     */
    void assertNoValueIn(List<String> values, List<String> workloadIds, StreamRecorder stream, CapturedOutput output,
            String logMarker) {
        Map<String, String> places = new LinkedHashMap<>();
        for (int i = 0; i < answers.size(); i++) {
            places.put("answer " + i, answers.get(i));
        }
        places.put("audit", api.get("/api/v1/audit?limit=500").body());
        places.put("operations", api.get("/api/v1/operations?limit=200").body());
        places.put("events", api.get("/api/v1/events?limit=500").body());
        places.put("configs", api.get("/api/v1/configs").body());
        places.put("workloads", api.get("/api/v1/workloads?limit=500").body());
        for (String id : workloadIds) {
            for (String view : List.of("", "/native", "/manifest", "/revisions", "/events")) {
                Api.Response r = api.get("/api/v1/workloads/" + id + view);
                if (r.status() == 200) {
                    places.put("workload " + id + view, r.body());
                }
            }
        }
        places.put("stream", String.join("\n", stream.lines()));
        places.put("server log", output.getAll());

        places.forEach((place, text) -> {
            for (String value : values) {
                assertThat(text).as("a secret value leaked into the %s", place).doesNotContain(value);
            }
        });
        assertThat(answers).as("answers were kept").isNotEmpty();
        assertThat(places.get("audit")).as("the audit recorded the run").contains("/api/v1/configs");
        assertThat(places.get("operations")).as("the operations were listed").contains("\"items\"");
        assertThat(stream.lines()).as("the stream carried the run").isNotEmpty();
        assertThat(output.getAll()).as("the server's log was captured").contains(logMarker);
    }
}
