package io.gantry.marathon;

import static io.gantry.spi.json.Json.array;
import static io.gantry.spi.json.Json.object;
import static io.gantry.spi.json.Json.strings;
import static io.gantry.spi.json.Json.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What Marathon is doing about its apps and pods beyond their definitions: the deployments under way
 * ({@code GET /v2/deployments}) and the launch queue ({@code GET /v2/queue}), by app or pod id. Neither an
 * app nor a PodStatus carries them (an app's {@code deployments} embed names only the ids), yet they hold
 * Marathon's own verdict: the deployment step, the back-off after failed launches, why offers are declined.
 */
final class MarathonProgress {
    /** Nothing known: a definition read on its own (a write's answer, a fixture). */
    static final MarathonProgress NONE = new MarathonProgress(Map.of(), Map.of());

    private final Map<String, List<JsonNode>> deployments;
    private final Map<String, JsonNode> queue;

    private MarathonProgress(Map<String, List<JsonNode>> deployments, Map<String, JsonNode> queue) {
        this.deployments = deployments;
        this.queue = queue;
    }

    /**
     * @param deployments the body of {@code GET /v2/deployments} (an array), or {@code null}
     * @param queue       the body of {@code GET /v2/queue} ({@code {"queue": [...]}}), or {@code null}
     */
    static MarathonProgress of(JsonNode deployments, JsonNode queue) {
        Map<String, List<JsonNode>> byId = new HashMap<>();
        if (deployments != null && deployments.isArray()) {
            for (JsonNode d : deployments.values()) {
                List<String> affected = new ArrayList<>(strings(d, "affectedApps"));
                affected.addAll(strings(d, "affectedPods"));
                affected.forEach(id -> byId.computeIfAbsent(MarathonIds.normalizeId(id), k -> new ArrayList<>()).add(d));
            }
        }
        Map<String, JsonNode> entries = new HashMap<>();
        for (JsonNode entry : array(queue, "queue")) {
            // an entry is a QueueApp or a QueuePod (RAML: types/queue.raml)
            JsonNode spec = object(entry, "app") != null ? object(entry, "app") : object(entry, "pod");
            if (spec != null) {
                entries.put(MarathonIds.normalizeId(text(spec, "id")), entry);
            }
        }
        return new MarathonProgress(byId, entries);
    }

    /** The deployments of {@code GET /v2/deployments} that affect this app or pod, in Marathon's order. */
    List<JsonNode> deployments(String id) {
        return deployments.getOrDefault(MarathonIds.normalizeId(id), List.of());
    }

    /** Its launch queue entry, or {@code null} when nothing of it waits to launch. */
    JsonNode queueEntry(String id) {
        return queue.get(MarathonIds.normalizeId(id));
    }
}
