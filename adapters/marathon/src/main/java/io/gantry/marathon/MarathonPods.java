package io.gantry.marathon;

import static io.gantry.marathon.MarathonAnswers.expectOk;
import static io.gantry.spi.json.Json.object;
import static io.gantry.spi.json.Json.text;

import io.gantry.spi.Workload;
import io.gantry.spi.json.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The pods of one Marathon (1.4+), read over {@code /v2/pods} with their status; whether a deployment
 * touches a pod comes from {@code GET /v2/deployments}, since a PodStatus does not say.
 */
final class MarathonPods {
    private final MarathonHttp marathon;

    MarathonPods(MarathonHttp marathon) {
        this.marathon = marathon;
    }

    /** The pod with this id and its status, or empty when Marathon has none. */
    Optional<Workload> get(String id) {
        MarathonHttp.Response r = marathon.get("/v2/pods" + id + "::status");
        if (r.status() == 404) {
            return Optional.empty();
        }
        JsonNode status = expectOk(r, "pod status", id);
        return Optional.of(MarathonPodReader.pod(status, deployingPods().contains(id)));
    }

    /** Every pod with its status; none on Marathon before 1.4. */
    List<Workload> list() {
        MarathonHttp.Response r = marathon.get("/v2/pods/::status");
        if (r.status() == 404) {
            // Marathon before 1.4 has no pods
            return List.of();
        }
        JsonNode statuses = expectOk(r, "pods", null);
        if (statuses.isEmpty()) {
            return List.of();
        }
        Set<String> deploying = deployingPods();
        List<Workload> out = new ArrayList<>();
        for (JsonNode s : statuses.values()) {
            String id = MarathonIds.normalizeId(text(object(s, "spec"), "id", text(s, "id")));
            out.add(MarathonPodReader.pod(s, deploying.contains(id)));
        }
        return out;
    }

    private Set<String> deployingPods() {
        Set<String> ids = new HashSet<>();
        for (JsonNode d : expectOk(marathon.get("/v2/deployments"), "deployments", null).values()) {
            Json.strings(d, "affectedPods").forEach(p -> ids.add(MarathonIds.normalizeId(p)));
        }
        return ids;
    }
}
