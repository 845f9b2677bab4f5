package io.gantry.marathon;

import static io.gantry.spi.json.Json.instant;
import static io.gantry.spi.json.Json.integer;
import static io.gantry.spi.json.Json.object;

import io.gantry.spi.EngineRevision;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * Reads the versions Marathon keeps of an app or a pod into {@link EngineRevision}s: the version timestamp is
 * the revision's id and time, the definition of that version its spec.
 */
final class MarathonVersionReader {
    /** The message of an app version that changed no configuration and the instance count. */
    static final String SCALING = "scaling";
    /** The message of an app version that changed neither configuration nor instances: a restart. */
    static final String RESTART = "restart";

    private MarathonVersionReader() {
    }

    /**
     * The version timestamps of a version list ({@code {"versions": [...]}} for an app, a bare array for a pod),
     * newest first, at most {@code most}. Marathon lists them as its store holds them, in no promised order; one
     * that is not a timestamp is left out, which also keeps whatever it holds out of request paths.
     */
    static List<String> newestFirst(List<String> versions, int most) {
        return versions.stream().filter(v -> instantOf(v) != null)
                .sorted(Comparator.comparing(MarathonVersionReader::instantOf).reversed()).limit(most).toList();
    }

    /**
     * One app version ({@code GET /v2/apps/{id}/versions/{version}}, the bare app definition).
     *
     * @param version   the timestamp it was read at (the RAML's example body has no {@code version} of its own)
     * @param older     the next older version when read, else {@code null}: tells a scaling from a restart
     * @param current   the app's {@code version} now, or {@code null}
     * @param nodeCount number of Mesos agents when known (to recognise a DAEMON), else {@code null}
     */
    static EngineRevision app(String version, JsonNode app, JsonNode older, Instant current, Integer nodeCount) {
        Instant at = instantOf(version);
        return new EngineRevision(version, at, MarathonAppReader.appSpec(app, MarathonAppReader.isDaemon(app, nodeCount)),
                appMessage(at, app, older), at != null && at.equals(current));
    }

    /**
     * Marathon's {@code versionInfo} says whether a version changed the configuration: when its
     * {@code lastConfigChangeAt} is older than the version, only a scaling or a restart made it (REST docs:
     * lastScalingAt "including changes like scaling or restarting the app"). Versions without versionInfo
     * (Marathon 0.x) say nothing.
     */
    private static String appMessage(Instant at, JsonNode app, JsonNode older) {
        Instant configChanged = instant(object(app, "versionInfo"), "lastConfigChangeAt");
        if (at == null || configChanged == null || !configChanged.isBefore(at)) {
            return "";
        }
        if (older != null && Objects.equals(integer(older, "instances"), integer(app, "instances"))) {
            return RESTART;
        }
        return SCALING;
    }

    /** One pod version ({@code GET /v2/pods/{id}::versions/{version}}, the pod definition); pods have no versionInfo. */
    static EngineRevision pod(String version, JsonNode pod, Instant current) {
        Instant at = instantOf(version);
        return new EngineRevision(version, at, MarathonPodReader.podSpec(pod), "", at != null && at.equals(current));
    }

    /** A Marathon timestamp ({@code 2014-03-01T23:17:50.295Z}), or {@code null} when it is none. */
    static Instant instantOf(String version) {
        if (version == null) {
            return null;
        }
        try {
            return Instant.parse(version);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
