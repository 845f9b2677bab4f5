package io.gantry.marathon;

import static io.gantry.spi.json.Json.array;
import static io.gantry.spi.json.Json.text;

import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineForbiddenException;
import io.gantry.spi.EngineMessages;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.json.Json;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Marathon's and Mesos' answers as the port sees them: a JSON body when they succeed, a typed exception when not. */
final class MarathonAnswers {
    private MarathonAnswers() {
    }

    /**
     * Marathon's status codes as port exceptions; the parsed body of a 2xx answer.
     *
     * @param id the workload concerned, for 404 and 409; {@code null} when none
     */
    static JsonNode expectOk(MarathonHttp.Response r, String what, String id) {
        if (r.ok()) {
            try {
                return Json.parse(r.body());
            } catch (RuntimeException e) {
                // the parser's message quotes the body: not passed on
                throw new EngineUnavailableException(r.endpoint() + " answered " + what + " with a body that is not JSON");
            }
        }
        String reason = reason(r);
        switch (r.status()) {
            case 401 -> throw new EngineForbiddenException("Marathon refused the credentials (" + reason + ")");
            case 403 -> throw new EngineForbiddenException("Marathon denied access to " + what + " (" + reason + ")");
            case 404 -> {
                if (id != null) {
                    throw new WorkloadNotFoundException(id);
                }
                throw new EngineUnavailableException(r.endpoint() + " has no " + what + " endpoint (" + reason + ")");
            }
            case 409 -> {
                List<String> deployments = deployments(r);
                if (!deployments.isEmpty()) {
                    throw new EngineConflictException("'" + id + "' is locked by Marathon deployment "
                            + String.join(", ", deployments) + " in progress; retry when it ends, or set the "
                            + "engine option force=true to cancel it (" + reason + ")");
                }
                throw new EngineConflictException("Marathon refused the change of '" + id + "': " + reason);
            }
            case 400, 422 -> {
                List<InvalidSpecException.FieldError> errors = MarathonFieldErrors.fieldErrors(parseOrEmpty(r.body())).stream()
                        .map(e -> new InvalidSpecException.FieldError(e.field(), EngineMessages.sanitize(e.message())))
                        .toList();
                throw new InvalidSpecException("Marathon rejected " + (id == null ? what : "'" + id + "'") + ": "
                        + reason, errors.isEmpty() ? List.of(new InvalidSpecException.FieldError("spec", reason))
                        : errors);
            }
            default -> throw new EngineUnavailableException("Marathon answered " + reason + " for " + what);
        }
    }

    static List<String> deployments(MarathonHttp.Response r) {
        List<String> ids = new ArrayList<>();
        for (JsonNode d : array(parseOrEmpty(r.body()), "deployments")) {
            String did = text(d, "id");
            if (did != null) {
                ids.add(did);
            }
        }
        return ids;
    }

    /** The status and Marathon's {@code message}; never the body itself (a proxy's page, say): see EngineMessages. */
    static String reason(MarathonHttp.Response r) {
        return EngineMessages.httpReason(r.status(), text(parseOrEmpty(r.body()), "message"));
    }

    static JsonNode parseOrEmpty(String body) {
        try {
            return Json.parse(body);
        } catch (RuntimeException e) {
            // Marathon answers some errors (405, proxy failures) with HTML
            return Json.MAPPER.createObjectNode();
        }
    }

    /** The deployment a write started: {@code {"deploymentId", "version"}} (apps), or {@code null}. */
    static String deploymentId(JsonNode writeResult) {
        return text(writeResult, "deploymentId");
    }
}
