package io.gantry.marathon;

import static io.gantry.marathon.MarathonAnswers.expectOk;
import static io.gantry.spi.json.Json.instant;
import static io.gantry.spi.json.Json.strings;

import io.gantry.spi.EngineRevision;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The versions Marathon keeps of an app ({@code GET /v2/apps/{id}/versions}) or a pod
 * ({@code GET /v2/pods/{id}::versions}), newest first. Marathon keeps a version of every change, scalings and
 * restarts included, up to {@code zk_max_versions} (50 by default) each, and gives the definitions one version
 * per call: only the {@link #MOST} newest are read, so that a history costs at most {@code MOST + 1} calls.
 */
final class MarathonVersions {
    /** How many of the newest versions are read. */
    static final int MOST = 10;

    private final MarathonHttp marathon;

    MarathonVersions(MarathonHttp marathon) {
        this.marathon = marathon;
    }

    /**
     * The app's newest versions, newest first.
     *
     * @param app       the app as Marathon has it now (its {@code version} is the current one)
     * @param nodeCount number of Mesos agents when known (to recognise a DAEMON), else {@code null}
     */
    List<EngineRevision> ofApp(String id, JsonNode app, Integer nodeCount) {
        List<String> versions = MarathonVersionReader.newestFirst(
                strings(expectOk(marathon.get("/v2/apps" + id + "/versions"), "app versions", id), "versions"), MOST);
        List<String> found = new ArrayList<>();
        List<JsonNode> definitions = new ArrayList<>();
        for (String version : versions) {
            JsonNode definition = read("/v2/apps" + id + "/versions/" + version, "app version", id);
            if (definition != null) {
                found.add(version);
                definitions.add(definition);
            }
        }
        List<EngineRevision> out = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            JsonNode older = i + 1 < definitions.size() ? definitions.get(i + 1) : null;
            out.add(MarathonVersionReader.app(found.get(i), definitions.get(i), older, instant(app, "version"),
                    nodeCount));
        }
        return out;
    }

    /** The pod's newest versions, newest first; {@code pod} is its definition now. */
    List<EngineRevision> ofPod(String id, JsonNode pod) {
        List<String> versions = MarathonVersionReader.newestFirst(
                strings(expectOk(marathon.get("/v2/pods" + id + "::versions"), "pod versions", id)), MOST);
        List<EngineRevision> out = new ArrayList<>();
        for (String version : versions) {
            JsonNode definition = read("/v2/pods" + id + "::versions/" + version, "pod version", id);
            if (definition != null) {
                out.add(MarathonVersionReader.pod(version, definition, instant(pod, "version")));
            }
        }
        return out;
    }

    /** A version's definition, or {@code null} when Marathon dropped it since it listed it. */
    private JsonNode read(String path, String what, String id) {
        MarathonHttp.Response r = marathon.get(path);
        return r.status() == 404 ? null : expectOk(r, what, id);
    }
}
