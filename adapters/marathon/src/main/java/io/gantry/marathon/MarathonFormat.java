package io.gantry.marathon;

import io.gantry.spi.json.Json;
import io.gantry.spi.InvalidSpecException.FieldError;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.ManifestFormat;
import io.gantry.spi.ManifestLimits;
import io.gantry.spi.ManifestReader;
import io.gantry.spi.Quantities;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.SecretRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.node.ObjectNode;

/**
 * Marathon app JSON ({@code POST /v2/apps}), written through {@link MarathonAppWriter} and read through {@link MarathonAppReader}.
 * Parsing takes one app, {@code {"app": {...}}}, a {@code GET /v2/apps} answer, an array of apps, or a
 * group with nested groups. Fields of a wrong JSON type are field errors, not guesses.
 */
public final class MarathonFormat implements ManifestFormat {
    private static final Description DESCRIPTION = new Description("marathon", "application/json", "marathon");
    /** App fields the model maps, with the JSON type each must have. */
    private static final Map<String, Kind> MAPPED = Map.ofEntries(Map.entry("id", Kind.STRING),
            Map.entry("cmd", Kind.STRING), Map.entry("args", Kind.ARRAY), Map.entry("instances", Kind.INTEGER),
            Map.entry("cpus", Kind.NUMBER), Map.entry("mem", Kind.NUMBER), Map.entry("env", Kind.OBJECT),
            Map.entry("labels", Kind.OBJECT), Map.entry("constraints", Kind.ARRAY), Map.entry("container", Kind.OBJECT),
            Map.entry("healthChecks", Kind.ARRAY), Map.entry("portDefinitions", Kind.ARRAY),
            Map.entry("ports", Kind.ARRAY), Map.entry("networks", Kind.ARRAY), Map.entry("requirePorts", Kind.BOOLEAN),
            Map.entry("secrets", Kind.OBJECT));
    /** What Marathon reports about a running app: status, not definition, so leaving it out loses nothing. */
    private static final Set<String> STATUS_FIELDS = Set.of("version", "versionInfo", "tasks", "tasksRunning",
            "tasksStaged", "tasksHealthy", "tasksUnhealthy", "deployments", "lastTaskFailure", "taskStats",
            "readinessCheckResults");
    private static final Pattern NODE_LABEL = Pattern.compile("^node\\.labels\\.([^=!]+)==(.+)$");
    private static final Pattern NODE_HOSTNAME = Pattern.compile("^node\\.hostname==(.+)$");

    private enum Kind { STRING, ARRAY, INTEGER, NUMBER, OBJECT, BOOLEAN }

    @Override
    public Description description() {
        return DESCRIPTION;
    }

    @Override
    public Map<String, String> nativeNotation(WorkloadSpec spec) {
        Map<String, String> notation = ManifestFormat.resourceNotation(spec,
                cpu -> "cpus: " + Quantities.millisToCores(cpu).toPlainString(),
                memory -> "mem: " + Quantities.bytesToMebibytes(memory).toPlainString());
        if (spec.replicas() != null) {
            notation.put("spec.replicas", "instances: " + spec.replicas());
        }
        return notation;
    }

    @Override
    public Rendered render(WorkloadDefinition workload) {
        List<String> warnings = new ArrayList<>();
        WorkloadSpec spec = workload.spec();
        WorkloadKind kind = workload.kind();
        if (kind == WorkloadKind.STATEFUL || kind == WorkloadKind.JOB) {
            warnings.add("Marathon runs long-running apps only: this " + kind + " is rendered as an app (SERVICE)");
            kind = WorkloadKind.SERVICE;
        }
        Integer replicas = spec.replicas();
        if (kind == WorkloadKind.DAEMON && replicas == null) {
            warnings.add("Marathon has no per-node scheduling: a DAEMON is an app with hostname:UNIQUE whose "
                    + "instances equal the number of agents, which a manifest cannot know; rendered with instances 1");
            replicas = 1;
        }
        List<String> constraints = new ArrayList<>();
        for (String c : spec.constraints()) {
            Matcher label = NODE_LABEL.matcher(c.trim());
            Matcher host = NODE_HOSTNAME.matcher(c.trim());
            if (label.matches()) {
                constraints.add(label.group(1).trim() + ":CLUSTER:" + label.group(2).trim());
            } else if (host.matches()) {
                constraints.add("hostname:CLUSTER:" + host.group(1).trim());
            } else if (c.split(":", 3).length >= 2) {
                constraints.add(c);
            } else {
                warnings.add("constraint '" + c + "' has no Marathon equivalent: left out");
            }
        }
        if (spec.runtime() != null) {
            warnings.add("runtime '" + spec.runtime() + "' is an agent setting: left out");
        }
        if (!spec.command().isEmpty() && !spec.args().isEmpty()) {
            warnings.add("Marathon takes cmd or args, not both: the args are appended to cmd as shell words");
        }
        WorkloadSpec written = new WorkloadSpec(spec.image(), spec.command(), spec.args(), spec.env(), spec.ports(),
                spec.resources(), replicas, spec.healthCheck(), constraints, null, secrets(spec.secrets(), warnings));
        ObjectNode app = MarathonAppWriter.newApp(new WorkloadDefinition(workload.namespace(), workload.name(), kind,
                workload.labels(), written), kind == WorkloadKind.DAEMON ? replicas : null);
        return new Rendered(Json.MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(app), warnings);
    }

    /** The references a DC/OS secret can serve ({@link MarathonSecretRefs}); the others are named and left out. */
    private static List<SecretRef> secrets(List<SecretRef> refs, List<String> warnings) {
        List<SecretRef> out = new ArrayList<>();
        for (SecretRef ref : refs) {
            if (ref.kind() == ConfigKind.CONFIG) {
                warnings.add("config '" + ref.source() + "': Marathon has no config objects: left out");
            } else if (ref.key() != null) {
                warnings.add("key '" + ref.key() + "' of secret '" + ref.source() + "': a DC/OS secret holds one "
                        + "value: left out");
            } else {
                if (ref.mode() != null) {
                    warnings.add("mode of secret file " + ref.path() + ": Marathon sets none: left out");
                }
                out.add(new SecretRef(ref.source(), ref.kind(), null, ref.env(), ref.path(), null));
            }
        }
        return out;
    }

    @Override
    public List<Parsed> parse(String document) {
        Object value = new ManifestReader().readJson(document);
        JsonNode root = value == null ? null : Json.MAPPER.valueToTree(value);
        List<JsonNode> apps = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        List<FieldError> errors = new ArrayList<>();
        if (root == null) {
            errors.add(new FieldError("manifest", "empty document"));
        } else if (root.isArray()) {
            for (int i = 0; i < root.size(); i++) {
                collectApp(root.get(i), "[" + i + "]", apps, paths, errors);
            }
        } else if (root.has("app")) {
            collectApp(root.get("app"), "app", apps, paths, errors);
        } else if (root.has("apps") || root.has("groups")) {
            collectGroup(root, "", apps, paths, errors, 0);
        } else {
            collectApp(root, "", apps, paths, errors);
        }
        if (apps.isEmpty() && errors.isEmpty()) {
            errors.add(new FieldError("manifest", "no Marathon app found"));
        }
        if (apps.size() > ManifestLimits.MAX_WORKLOADS) {
            errors.add(new FieldError("manifest", "at most " + ManifestLimits.MAX_WORKLOADS + " apps"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException("the Marathon document is not valid: " + errors.get(0).field() + ": "
                    + errors.get(0).message(), errors);
        }
        List<Parsed> out = new ArrayList<>();
        for (int i = 0; i < apps.size(); i++) {
            JsonNode app = apps.get(i);
            List<String> warnings = new ArrayList<>();
            for (String field : app.propertyNames()) {
                if (!MAPPED.containsKey(field) && !STATUS_FIELDS.contains(field)) {
                    warnings.add(join(paths.get(i), field) + " is not kept: the workload model has no such field");
                }
            }
            JsonNode env = app.get("env");
            String path = paths.get(i);
            if (env != null && env.isObject()) {
                JsonNode secrets = app.path("secrets");
                env.forEachEntry((k, v) -> {
                    if (!v.isValueNode() && !secrets.path(v.path("secret").asString("")).has("source")) {
                        warnings.add(join(path, "env." + k) + " refers to a secret that 'secrets' does not define: "
                                + "not kept");
                    }
                });
            }
            Workload w = MarathonAppReader.app(app, MarathonProgress.NONE, null);
            out.add(new Parsed(new WorkloadDefinition(w.namespace(), w.name(), w.kind(), w.labels(), w.spec()), warnings));
        }
        return out;
    }

    private void collectGroup(JsonNode group, String path, List<JsonNode> apps, List<String> paths,
                              List<FieldError> errors, int depth) {
        if (depth > ManifestLimits.MAX_NESTING) {
            errors.add(new FieldError(path, "groups nest too deep"));
            return;
        }
        JsonNode list = group.get("apps");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                errors.add(new FieldError(join(path, "apps"), "must be an array"));
            } else {
                for (int i = 0; i < list.size(); i++) {
                    collectApp(list.get(i), join(path, "apps[" + i + "]"), apps, paths, errors);
                }
            }
        }
        JsonNode groups = group.get("groups");
        if (groups != null && !groups.isNull()) {
            if (!groups.isArray()) {
                errors.add(new FieldError(join(path, "groups"), "must be an array"));
            } else {
                for (int i = 0; i < groups.size(); i++) {
                    collectGroup(groups.get(i), join(path, "groups[" + i + "]"), apps, paths, errors, depth + 1);
                }
            }
        }
    }

    private static void collectApp(JsonNode app, String path, List<JsonNode> apps, List<String> paths,
                                   List<FieldError> errors) {
        if (app == null || !app.isObject()) {
            errors.add(new FieldError(path.isEmpty() ? "manifest" : path, "must be a Marathon app object"));
            return;
        }
        int before = errors.size();
        MAPPED.forEach((field, kind) -> {
            JsonNode v = app.get(field);
            if (v != null && !v.isNull() && !matches(v, kind)) {
                errors.add(new FieldError(join(path, field), "must be " + describe(kind) + ", not " + v.getNodeType()
                        .name().toLowerCase()));
            }
        });
        if (errors.size() == before) {
            counts(app, path, errors);
        }
        String id = Json.text(app, "id");
        if (id == null || id.isBlank()) {
            if (errors.size() == before) {
                errors.add(new FieldError(join(path, "id"), "is required"));
            }
        } else if (!MarathonIds.isValidId(MarathonIds.normalizeId(id))) {
            errors.add(new FieldError(join(path, "id"), "'" + id + "' is not a Marathon app id (segments of a-z, 0-9, '-', '.')"));
        }
        if (errors.size() == before && !Json.present(app.get("cmd")) && !Json.present(app.get("args"))
                && !Json.present(app.get("container"))) {
            // Marathon's own rule (AppDefinition): something must say what to run
            errors.add(new FieldError(join(path, "cmd"), "an app needs cmd, args or container"));
        }
        if (errors.size() == before) {
            apps.add(app);
            paths.add(path);
        }
    }

    /**
     * Numbers the reader reads as ints, which must fit one: Jackson's {@code asInt()} would wrap
     * 12345678901 silently. Counts and ports cannot be negative.
     */
    private static void counts(JsonNode app, String path, List<FieldError> errors) {
        whole(app, "instances", path, Integer.MAX_VALUE, errors);
        for (String field : List.of("cpus", "mem")) {
            JsonNode v = app.get(field);
            if (v != null && v.isNumber() && v.asDouble() < 0) {
                errors.add(new FieldError(join(path, field), "must be 0 or more"));
            }
        }
        each(app, "portDefinitions", path, errors, (d, at) -> whole(d, "port", at, 65535, errors));
        JsonNode container = app.get("container");
        if (container != null && container.isObject()) {
            String at = join(path, "container");
            JsonNode docker = container.get("docker");
            if (docker != null && !docker.isNull() && !docker.isObject()) {
                errors.add(new FieldError(join(at, "docker"), "must be an object"));
            } else if (docker != null && docker.isObject()) {
                JsonNode image = docker.get("image");
                if (image != null && !image.isNull() && !image.isString()) {
                    errors.add(new FieldError(join(at, "docker.image"), "must be a string"));
                }
                each(docker, "portMappings", join(at, "docker"), errors, (m, in) -> portMapping(m, in, errors));
            }
            each(container, "portMappings", at, errors, (m, in) -> portMapping(m, in, errors));
        }
        each(app, "healthChecks", path, errors, (hc, at) -> {
            for (String field : List.of("port", "portIndex", "intervalSeconds", "timeoutSeconds")) {
                whole(hc, field, at, field.equals("port") ? 65535 : Integer.MAX_VALUE, errors);
            }
        });
    }

    private static void portMapping(JsonNode mapping, String path, List<FieldError> errors) {
        whole(mapping, "containerPort", path, 65535, errors);
        whole(mapping, "hostPort", path, 65535, errors);
    }

    /** The objects of an array field, each with its path; a non-object element is a field error. */
    private static void each(JsonNode parent, String field, String path, List<FieldError> errors,
                             java.util.function.BiConsumer<JsonNode, String> check) {
        JsonNode list = parent.get(field);
        if (list == null || list.isNull()) {
            return;
        }
        if (!list.isArray()) {
            errors.add(new FieldError(join(path, field), "must be an array"));
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String at = join(path, field + "[" + i + "]");
            if (list.get(i).isObject()) {
                check.accept(list.get(i), at);
            } else {
                errors.add(new FieldError(at, "must be an object"));
            }
        }
    }

    private static void whole(JsonNode parent, String field, String path, int max, List<FieldError> errors) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            return;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0 || v.asInt() > max) {
            errors.add(new FieldError(join(path, field), "must be a whole number from 0 to " + max));
        }
    }

    private static boolean matches(JsonNode v, Kind kind) {
        return switch (kind) {
            case STRING -> v.isString();
            case ARRAY -> v.isArray();
            case INTEGER -> v.isIntegralNumber();
            case NUMBER -> v.isNumber();
            case OBJECT -> v.isObject();
            case BOOLEAN -> v.isBoolean();
        };
    }

    private static String describe(Kind kind) {
        return switch (kind) {
            case STRING -> "a string";
            case ARRAY -> "an array";
            case INTEGER -> "a whole number";
            case NUMBER -> "a number";
            case OBJECT -> "an object";
            case BOOLEAN -> "true or false";
        };
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
