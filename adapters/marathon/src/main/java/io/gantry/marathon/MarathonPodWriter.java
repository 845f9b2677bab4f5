package io.gantry.marathon;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Patches of a pod definition ({@code PUT /v2/pods/{id}}). A pod's containers, volumes and networks have no
 * place in the model, so a pod is only ever changed by patching its own definition, never rewritten.
 */
final class MarathonPodWriter {
    /** Changed on restart: pods have no restart endpoint, and a changed label makes Marathon replace every instance. */
    static final String RESTARTED_LABEL = "gantry.io/restartedAt";

    private MarathonPodWriter() {
    }

    /** The definition with a fixed instance count. */
    static ObjectNode scaled(JsonNode pod, int replicas) {
        ObjectNode copy = writable(pod);
        ObjectNode scaling = copy.get("scaling") instanceof ObjectNode s ? s : copy.putObject("scaling");
        scaling.put("kind", "fixed").put("instances", replicas);
        return copy;
    }

    /** The definition with {@link #RESTARTED_LABEL} set to {@code now}. */
    static ObjectNode restarted(JsonNode pod, Instant now) {
        ObjectNode copy = writable(pod);
        ObjectNode labels = copy.get("labels") instanceof ObjectNode l ? l : copy.putObject("labels");
        labels.put(RESTARTED_LABEL, now.toString());
        return copy;
    }

    /** The definition with {@code labels} as its labels; Gantry's own {@link #RESTARTED_LABEL} is kept. */
    static ObjectNode relabeled(JsonNode pod, Map<String, String> labels) {
        ObjectNode copy = writable(pod);
        JsonNode restarted = copy.path("labels").get(RESTARTED_LABEL);
        ObjectNode out = copy.putObject("labels");
        labels.forEach(out::put);
        if (restarted != null) {
            out.set(RESTARTED_LABEL, restarted);
        }
        return copy;
    }

    /**
     * A pod version ({@code GET /v2/pods/{id}::versions/{version}}) as the body that puts the pod back to it: pods
     * have no documented rollback of their own, so the old definition is written as a new one.
     */
    static ObjectNode restored(JsonNode version) {
        return writable(version);
    }

    /** A copy without the fields Marathon reports but reads as "roll back to this version" in a PUT. */
    private static ObjectNode writable(JsonNode pod) {
        ObjectNode copy = (ObjectNode) pod.deepCopy();
        copy.remove(List.of("version", "versionInfo"));
        return copy;
    }
}
