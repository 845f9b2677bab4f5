package io.gantry.marathon;

import static io.gantry.spi.json.Json.array;
import static io.gantry.spi.json.Json.strings;
import static io.gantry.spi.json.Json.text;

import io.gantry.spi.InvalidSpecException.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** Marathon's refusal of a write (a 422 or 400 answer) as the model's field errors. */
final class MarathonFieldErrors {
    private static final Pattern INDEX = Pattern.compile("\\((\\d+)\\)");
    private static final Pattern PORT_FIELD =
            Pattern.compile("^(?:container/(?:docker/)?portMappings|portDefinitions)\\[(\\d+)](?:/(\\w+))?");

    private MarathonFieldErrors() {
    }

    /**
     * Field errors of a 422 (or 400) answer. Marathon 1.x writes
     * {@code {"message", "details": [{"path": "/container/portMappings(0)/hostPort", "errors": [...]}]}};
     * 0.x wrote {@code {"errors": [{"attribute", "error"}]}}. Paths are translated to model fields where
     * there is one; Marathon's own path is kept in the message otherwise.
     */
    static List<FieldError> fieldErrors(JsonNode body) {
        List<FieldError> out = new ArrayList<>();
        for (JsonNode d : array(body, "details")) {
            String path = text(d, "path", "/");
            List<String> errors = strings(d, "errors");
            String message = String.join("; ", errors.isEmpty() ? List.of(text(body, "message", "invalid")) : errors);
            String field = modelField(path);
            out.add(new FieldError(field, field.equals("spec") && !path.equals("/") ? message + " (at " + path + ")"
                    : message));
        }
        for (JsonNode e : array(body, "errors")) {
            if (e.isObject()) {
                out.add(new FieldError(modelField("/" + text(e, "attribute", "")), text(e, "error", "invalid")));
            }
        }
        return out;
    }

    static String modelField(String marathonPath) {
        Matcher m = INDEX.matcher(marathonPath == null ? "" : marathonPath);
        String path = m.replaceAll("[$1]").replaceAll("^/+", "");
        String[] segments = path.split("/");
        String head = segments[0];
        String rest = segments.length > 1 ? segments[1] : "";
        if (head.equals("id")) {
            return "name";
        }
        if (head.equals("instances")) {
            return "spec.replicas";
        }
        if (head.equals("cpus")) {
            return "spec.resources.cpuMillis";
        }
        if (head.equals("mem")) {
            return "spec.resources.memoryBytes";
        }
        if (head.equals("cmd")) {
            return "spec.command";
        }
        if (head.equals("args")) {
            return "spec.args";
        }
        if (head.equals("env") && !rest.isEmpty()) {
            return "spec.env." + rest;
        }
        if (head.equals("labels") && !rest.isEmpty()) {
            return "labels." + rest;
        }
        if (head.startsWith("constraints")) {
            return "spec." + head;
        }
        if (head.startsWith("healthChecks")) {
            return "spec.healthCheck";
        }
        if (path.equals("container/docker/image")) {
            return "spec.image";
        }
        Matcher port = PORT_FIELD.matcher(path);
        if (port.find()) {
            String field = port.group(2) == null ? ""
                    : port.group(2).equals("hostPort") ? ".publishedPort"
                    : port.group(2).equals("protocol") ? ".protocol" : ".containerPort";
            return "spec.ports[" + port.group(1) + "]" + field;
        }
        return "spec";
    }
}
