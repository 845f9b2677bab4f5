package io.gantry.marathon;

import static io.gantry.marathon.MarathonAnswers.expectOk;

import io.gantry.spi.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The pods of one Marathon (1.4+), read over {@code /v2/pods} with their status; what Marathon is doing about
 * them (deployments, the launch queue) comes in as {@link MarathonProgress}, since a PodStatus does not say.
 */
final class MarathonPods {
    private final MarathonHttp marathon;

    MarathonPods(MarathonHttp marathon) {
        this.marathon = marathon;
    }

    /** The pod with this id and its status, or empty when Marathon has none. */
    Optional<Workload> get(String id, MarathonProgress progress) {
        MarathonHttp.Response r = marathon.get("/v2/pods" + id + "::status");
        if (r.status() == 404) {
            return Optional.empty();
        }
        JsonNode status = expectOk(r, "pod status", id);
        return Optional.of(MarathonPodReader.pod(status, progress));
    }

    /** Every pod with its status; none on Marathon before 1.4. */
    List<Workload> list(MarathonProgress progress) {
        MarathonHttp.Response r = marathon.get("/v2/pods/::status");
        if (r.status() == 404) {
            // Marathon before 1.4 has no pods
            return List.of();
        }
        JsonNode statuses = expectOk(r, "pods", null);
        List<Workload> out = new ArrayList<>();
        for (JsonNode s : statuses.values()) {
            out.add(MarathonPodReader.pod(s, progress));
        }
        return out;
    }
}
