package io.gantry.marathon;

import static io.gantry.marathon.MarathonAnswers.expectOk;
import static io.gantry.spi.json.Json.text;

import java.time.Instant;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadSpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The changes Gantry makes to a Marathon's apps and pods, by ids already normalized and checked
 * ({@link MarathonIds}); the caller runs them within its {@link CallBudget}.
 *
 * <p>Locks: Marathon refuses a change to an app that a running deployment touches (409 with the
 * deployment ids). The port has no per-call force flag, so the engine option {@code force=true}
 * decides: without it the 409 becomes an {@link EngineConflictException} naming the deployments;
 * with it the change is retried once with {@code ?force=true}, which cancels those deployments.
 */
final class MarathonWrites {
    private static final Logger LOG = LoggerFactory.getLogger(MarathonWrites.class);

    private final MarathonSettings settings;
    private final MarathonHttp marathon;

    MarathonWrites(MarathonSettings settings, MarathonHttp marathon) {
        this.settings = settings;
        this.marathon = marathon;
    }

    /** @param nodes the number of Mesos agents for a DAEMON, else {@code null} */
    Workload deploy(WorkloadDefinition definition, Integer nodes) {
        ObjectNode body = MarathonAppWriter.newApp(definition, nodes);
        String id = text(body, "id");
        MarathonHttp.Response r = marathon.send("POST", "/v2/apps", body.toString());
        if (r.status() == 409) {
            throw new EngineConflictException("'" + id + "' already exists on Marathon engine "
                    + settings.engineName() + ": " + MarathonAnswers.reason(r));
        }
        JsonNode created = expectOk(r, "app", id);
        LOG.info("deployed app {} on Marathon engine {}", id, settings.engineName());
        return MarathonAppReader.app(created, MarathonProgress.NONE, nodes);
    }

    void update(String id, WorkloadSpec spec) {
        JsonNode current = existingApp(id);
        if (current == null) {
            existingPod(id);
            // a pod's containers, volumes and networks have no place in the model: a rewrite would lose them
            throw new UnsupportedCapabilityException(Capability.UPDATE, "'" + id + "' is a Marathon pod: Gantry "
                    + "scales, restarts and deletes pods; edit their containers in Marathon");
        }
        write("PUT", "/v2/apps" + id, MarathonAppWriter.updatedApp(current, spec).toString(), id);
    }

    /** {@code PUT} of the app's (or pod's) own definition with only its labels replaced. */
    void relabel(String id, Map<String, String> labels) {
        labels.forEach((key, value) -> {
            if (key == null || key.isBlank() || value == null) {
                throw InvalidSpecException.of("labels", "Marathon labels need a key and a value (got '" + key
                        + "')");
            }
        });
        JsonNode app = existingApp(id);
        if (app != null) {
            write("PUT", "/v2/apps" + id, MarathonAppWriter.relabeled(app, labels).toString(), id);
        } else {
            write("PUT", "/v2/pods" + id, MarathonPodWriter.relabeled(existingPod(id), labels).toString(), id);
        }
    }

    /**
     * Marathon's own rollback when {@code engineRevision} is a version the app still has: {@code PUT /v2/apps/{id}}
     * with {@code {"version": ...}} (REST docs, "version rollback"), which makes a new version of that version's
     * definition with a deployment, so that Marathon's history says what happened. A pod is put back to its own
     * old definition ({@code GET /v2/pods/{id}::versions/{version}}, then {@code PUT}): its containers, volumes and
     * networks are Marathon's, never rewritten from the model. A version Marathon no longer has (404), or no
     * version: {@link #update}.
     */
    void rollback(String id, WorkloadSpec spec, String engineRevision) {
        if (MarathonVersionReader.instantOf(engineRevision) == null) {
            update(id, spec);
            return;
        }
        boolean app = existingApp(id) != null;
        MarathonHttp.Response r = app
                ? writeResponse("PUT", "/v2/apps" + id, MarathonAppWriter.rollbackTo(engineRevision).toString())
                : marathon.get("/v2/pods" + id + "::versions/" + engineRevision);
        if (r.status() == 404) {
            LOG.info("Marathon engine {} has no version {} of {}: rolling back by an update",
                    settings.engineName(), engineRevision, id);
            update(id, spec);
        } else if (app) {
            LOG.info("rolled back {} to version {} on Marathon engine {}: deployment {}", id, engineRevision,
                    settings.engineName(), MarathonAnswers.deploymentId(expectOk(r, "workload", id)));
        } else {
            write("PUT", "/v2/pods" + id, MarathonPodWriter.restored(expectOk(r, "pod version", id)).toString(), id);
        }
    }

    void scale(String id, int replicas) {
        if (replicas < 0) {
            throw InvalidSpecException.of("replicas", "must be 0 or more");
        }
        // PUT on an unknown app id creates the app (Marathon REST docs): check that it exists first
        if (existingApp(id) == null) {
            write("PUT", "/v2/pods" + id, MarathonPodWriter.scaled(existingPod(id), replicas).toString(), id);
            return;
        }
        write("PUT", "/v2/apps" + id, "{\"instances\":" + replicas + "}", id);
    }

    void restart(String id) {
        MarathonHttp.Response r = writeResponse("POST", "/v2/apps" + id + "/restart", null);
        if (r.status() == 404) {
            write("PUT", "/v2/pods" + id, MarathonPodWriter.restarted(existingPod(id), Instant.now()).toString(), id);
            return;
        }
        expectOk(r, "workload", id);
    }

    void delete(String id) {
        MarathonHttp.Response r = writeResponse("DELETE", "/v2/apps" + id, null);
        if (r.status() == 404) {
            r = writeResponse("DELETE", "/v2/pods" + id, null);
        }
        JsonNode result = expectOk(r, "workload", id);
        LOG.info("deleted {} on Marathon engine {}: deployment {}", id,
                settings.engineName(), MarathonAnswers.deploymentId(result));
    }

    /** The app's definition, or {@code null} when Marathon has no app by that id. */
    JsonNode existingApp(String id) {
        MarathonHttp.Response r = marathon.get("/v2/apps" + id);
        if (r.status() == 404) {
            return null;
        }
        return expectOk(r, "app", id).path("app");
    }

    JsonNode existingPod(String id) {
        return expectOk(marathon.get("/v2/pods" + id), "pod", id);
    }

    private void write(String method, String path, String body, String id) {
        JsonNode result = expectOk(writeResponse(method, path, body), "workload", id);
        LOG.info("{} {} on Marathon engine {}: deployment {}", method, id,
                settings.engineName(), MarathonAnswers.deploymentId(result));
    }

    private MarathonHttp.Response writeResponse(String method, String path, String body) {
        MarathonHttp.Response r = marathon.send(method, path, body);
        if (r.status() == 409 && settings.force() && !MarathonAnswers.deployments(r).isEmpty()) {
            LOG.warn("{} {} is locked by deployment(s) {}: retrying with force=true "
                    + "(engine option force), which cancels them", method, path, MarathonAnswers.deployments(r));
            r = marathon.send(method, path + (path.contains("?") ? "&" : "?") + "force=true", body);
        }
        return r;
    }
}
