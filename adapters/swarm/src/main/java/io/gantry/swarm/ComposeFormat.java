package io.gantry.swarm;

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
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Docker's Compose file format (compose-spec), as {@code docker stack deploy} reads it. A Compose
 * service is translated to and from a Swarm ServiceSpec, so the model mapping is
 * {@link SwarmServiceReader} and {@link SwarmServiceWriter}'s own: Compose's {@code entrypoint} is the ServiceSpec's Command and
 * {@code command} its Args; {@code deploy.labels} are the service's labels; the project {@code name} is
 * the stack, i.e. the namespace.
 */
public final class ComposeFormat implements ManifestFormat {
    /** Top-level keys of the compose-spec; anything else (except {@code x-} extensions) is a mistake. */
    private static final Set<String> TOP_LEVEL = Set.of("version", "name", "services", "networks", "volumes",
            "configs", "secrets", "include");
    /** Service keys the model maps; others are reported as not kept. */
    private static final Set<String> MAPPED_SERVICE_KEYS = Set.of("image", "entrypoint", "command", "environment",
            "ports", "deploy", "healthcheck");
    private static final Set<String> MAPPED_DEPLOY_KEYS = Set.of("mode", "replicas", "labels", "resources", "placement");
    private static final Pattern BYTES = Pattern.compile("^([0-9]+(?:\\.[0-9]+)?)\\s*([kmgt]?)b?$");
    private static final Pattern DURATION_PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|ms|s|m|h)");
    private static final Pattern SHORT_PORT =
            Pattern.compile("^(?:(?:[0-9.]+:)?([0-9]+):)?([0-9]+)(?:/(tcp|udp|sctp))?$");
    private static final long MIB = 1024L * 1024L;
    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "sctp");

    private final SwarmServiceWriter writer = new SwarmServiceWriter(SwarmServiceWriter.PUBLISH_MODE_INGRESS);

    @Override
    public String name() {
        return "compose";
    }

    @Override
    public String mediaType() {
        return "application/yaml";
    }

    @Override
    public String engineKind() {
        return "swarm";
    }

    @Override
    public Map<String, String> nativeNotation(WorkloadSpec spec) {
        Map<String, String> notation = new LinkedHashMap<>();
        // what the Engine API (docker service inspect) holds, not Compose's shorthand
        if (spec.resources().cpuMillis() != null) {
            notation.put("spec.resources.cpuMillis", "NanoCPUs: "
                    + Quantities.millisToNanoCpus(spec.resources().cpuMillis()));
        }
        if (spec.resources().memoryBytes() != null) {
            notation.put("spec.resources.memoryBytes", "MemoryBytes: " + spec.resources().memoryBytes());
        }
        return notation;
    }

    @Override
    public Rendered render(WorkloadDefinition workload) {
        List<String> warnings = new ArrayList<>();
        WorkloadDefinition target = workload;
        if (workload.kind() == WorkloadKind.STATEFUL) {
            warnings.add("Compose has no stateful services: rendered as a replicated service without stable identity");
            target = new WorkloadDefinition(workload.namespace(), workload.name(), WorkloadKind.SERVICE,
                    workload.labels(), workload.spec());
        }
        if (workload.spec().runtime() != null) {
            warnings.add("runtime '" + workload.spec().runtime() + "' is an agent setting; Compose runs containers");
            WorkloadSpec s = workload.spec();
            target = new WorkloadDefinition(target.namespace(), target.name(), target.kind(), target.labels(),
                    new WorkloadSpec(s.image(), s.command(), s.args(), s.env(), s.ports(), s.resources(), s.replicas(),
                            s.healthCheck(), s.constraints(), null));
        }
        ObjectNode spec = writer.serviceSpec(target);
        Map<String, Object> service = service(spec, workload.labels());
        Map<String, Object> file = new LinkedHashMap<>();
        if (!workload.namespace().isEmpty()) {
            file.put("name", workload.namespace());
        }
        file.put("services", Map.of(workload.name(), service));
        return new Rendered(dump(file), warnings);
    }

    private static Map<String, Object> service(ObjectNode spec, Map<String, String> labels) {
        JsonNode task = spec.path("TaskTemplate");
        JsonNode container = task.path("ContainerSpec");
        Map<String, Object> service = new LinkedHashMap<>();
        service.put("image", Json.text(container, "Image"));
        putList(service, "entrypoint", Json.strings(container.path("Command")));
        putList(service, "command", Json.strings(container.path("Args")));
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : Json.strings(container.path("Env"))) {
            int eq = e.indexOf('=');
            env.put(eq < 0 ? e : e.substring(0, eq), eq < 0 ? "" : e.substring(eq + 1));
        }
        if (!env.isEmpty()) {
            service.put("environment", env);
        }
        List<Map<String, Object>> ports = new ArrayList<>();
        for (JsonNode p : spec.path("EndpointSpec").path("Ports")) {
            Map<String, Object> port = new LinkedHashMap<>();
            port.put("target", p.path("TargetPort").asInt());
            if (p.has("PublishedPort")) {
                port.put("published", p.path("PublishedPort").asInt());
            }
            port.put("protocol", Json.text(p, "Protocol", "tcp"));
            if (SwarmServiceWriter.PUBLISH_MODE_HOST.equals(Json.text(p, "PublishMode"))) {
                port.put("mode", "host");
            }
            ports.add(port);
        }
        if (!ports.isEmpty()) {
            service.put("ports", ports);
        }
        JsonNode check = container.path("Healthcheck");
        if (check.isObject()) {
            Map<String, Object> health = new LinkedHashMap<>();
            health.put("test", Json.strings(check.path("Test")));
            if (check.has("Interval")) {
                health.put("interval", check.path("Interval").asLong() / 1_000_000_000L + "s");
            }
            if (check.has("Timeout")) {
                health.put("timeout", check.path("Timeout").asLong() / 1_000_000_000L + "s");
            }
            service.put("healthcheck", health);
        }
        Map<String, Object> deploy = new LinkedHashMap<>();
        JsonNode mode = spec.path("Mode");
        if (mode.has("Global")) {
            deploy.put("mode", "global");
        } else if (mode.has("ReplicatedJob")) {
            deploy.put("mode", "replicated-job");
            deploy.put("replicas", mode.path("ReplicatedJob").path("TotalCompletions").asInt());
        } else {
            deploy.put("replicas", mode.path("Replicated").path("Replicas").asInt());
        }
        Map<String, String> deployLabels = new LinkedHashMap<>(labels);
        deployLabels.remove(SwarmServiceReader.STACK_NAMESPACE_LABEL);
        if (!deployLabels.isEmpty()) {
            deploy.put("labels", deployLabels);
        }
        JsonNode limits = task.path("Resources").path("Limits");
        Map<String, Object> limitMap = new LinkedHashMap<>();
        if (limits.has("NanoCPUs")) {
            limitMap.put("cpus", Quantities.millisToCores(Quantities.nanoCpusToMillis(limits.path("NanoCPUs").asLong()))
                    .toPlainString());
        }
        if (limits.has("MemoryBytes")) {
            long bytes = limits.path("MemoryBytes").asLong();
            limitMap.put("memory", bytes % MIB == 0 ? bytes / MIB + "M" : bytes + "b");
        }
        if (!limitMap.isEmpty()) {
            deploy.put("resources", Map.of("limits", limitMap));
        }
        List<String> constraints = Json.strings(task.path("Placement").path("Constraints"));
        if (!constraints.isEmpty()) {
            deploy.put("placement", Map.of("constraints", constraints));
        }
        service.put("deploy", deploy);
        return service;
    }

    @Override
    public List<Parsed> parse(String document) {
        Object root = load(document);
        if (!(root instanceof Map<?, ?> file)) {
            throw InvalidSpecException.of("manifest", "a Compose file is a YAML mapping with a 'services' key");
        }
        List<FieldError> errors = new ArrayList<>();
        for (Object key : file.keySet()) {
            String k = String.valueOf(key);
            if (!TOP_LEVEL.contains(k) && !k.startsWith("x-")) {
                errors.add(new FieldError(k, "unknown top-level key of a Compose file (known: services, networks, "
                        + "volumes, configs, secrets, name, version, x-*)"));
            }
        }
        Object name = file.get("name");
        if (name != null && !(name instanceof String)) {
            errors.add(new FieldError("name", "must be a string"));
        }
        String namespace = name instanceof String s ? s : "";
        if (!(file.get("services") instanceof Map<?, ?> services) || services.isEmpty()) {
            errors.add(new FieldError("services", "a Compose file needs at least one service"));
            throw invalid(errors);
        }
        if (services.size() > ManifestLimits.MAX_WORKLOADS) {
            errors.add(new FieldError("services", "at most " + ManifestLimits.MAX_WORKLOADS + " services"));
        }
        List<Parsed> out = new ArrayList<>();
        for (Map.Entry<?, ?> entry : services.entrySet()) {
            String serviceName = String.valueOf(entry.getKey());
            String path = "services." + serviceName;
            if (!(entry.getValue() instanceof Map<?, ?> service)) {
                errors.add(new FieldError(path, "must be a mapping"));
                continue;
            }
            List<String> warnings = new ArrayList<>();
            ObjectNode spec = serviceSpec(namespace, serviceName, service, path, errors, warnings);
            if (spec == null) {
                continue;
            }
            ObjectNode native_ = DockerApi.JSON.createObjectNode();
            native_.put("ID", serviceName);
            native_.set("Spec", spec);
            Workload w = SwarmServiceReader.workload(native_, List.of(), Map.of());
            Map<String, String> labels = new LinkedHashMap<>(w.labels());
            labels.remove(SwarmServiceReader.STACK_NAMESPACE_LABEL);
            out.add(new Parsed(new WorkloadDefinition(namespace, serviceName, w.kind(), labels, w.spec()), warnings));
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        return out;
    }

    /** The ServiceSpec {@code docker stack deploy} would send, or {@code null} when the service has errors. */
    private ObjectNode serviceSpec(String namespace, String name, Map<?, ?> service, String path,
                                   List<FieldError> errors, List<String> warnings) {
        int before = errors.size();
        for (Object key : service.keySet()) {
            if (!MAPPED_SERVICE_KEYS.contains(String.valueOf(key))) {
                warnings.add(path + "." + key + " is not kept: the workload model has no such field");
            }
        }
        ObjectNode spec = DockerApi.JSON.createObjectNode();
        spec.put("Name", SwarmServiceWriter.serviceName(namespace, name));
        ObjectNode labels = spec.putObject("Labels");
        if (!namespace.isEmpty()) {
            labels.put(SwarmServiceReader.STACK_NAMESPACE_LABEL, namespace);
        }
        ObjectNode task = spec.putObject("TaskTemplate");
        ObjectNode container = task.putObject("ContainerSpec");
        Object image = service.get("image");
        if (!(image instanceof String s) || s.isBlank()) {
            errors.add(new FieldError(path + ".image", image == null ? "is required (Gantry does not build images)"
                    : "must be a string"));
        } else {
            container.put("Image", s);
        }
        putStrings(container, "Command", words(service.get("entrypoint"), path + ".entrypoint", errors));
        putStrings(container, "Args", words(service.get("command"), path + ".command", errors));
        putStrings(container, "Env", environment(service.get("environment"), path + ".environment", errors));
        ports(service.get("ports"), path + ".ports", spec, errors);
        healthcheck(service.get("healthcheck"), path + ".healthcheck", container, errors);
        deploy(service.get("deploy"), path + ".deploy", spec, task, labels, errors, warnings);
        return errors.size() == before ? spec : null;
    }

    private static void deploy(Object value, String path, ObjectNode spec, ObjectNode task, ObjectNode labels,
                               List<FieldError> errors, List<String> warnings) {
        ObjectNode mode = spec.putObject("Mode");
        if (value == null) {
            mode.putObject("Replicated").put("Replicas", 1);
            return;
        }
        if (!(value instanceof Map<?, ?> deploy)) {
            errors.add(new FieldError(path, "must be a mapping"));
            return;
        }
        for (Object key : deploy.keySet()) {
            if (!MAPPED_DEPLOY_KEYS.contains(String.valueOf(key))) {
                warnings.add(path + "." + key + " is not kept: the workload model has no such field");
            }
        }
        Object replicasValue = deploy.get("replicas");
        Integer replicas = null;
        if (replicasValue != null) {
            if (replicasValue instanceof Integer n && n >= 0) {
                replicas = n;
            } else {
                errors.add(new FieldError(path + ".replicas", "must be a whole number of 0 or more"));
            }
        }
        Object modeValue = deploy.get("mode") == null ? "replicated" : deploy.get("mode");
        switch (String.valueOf(modeValue)) {
            case "replicated" -> mode.putObject("Replicated").put("Replicas", replicas == null ? 1 : replicas);
            case "global" -> mode.putObject("Global");
            case "replicated-job" -> mode.putObject("ReplicatedJob").put("MaxConcurrent", replicas == null ? 1 : replicas)
                    .put("TotalCompletions", replicas == null ? 1 : replicas);
            default -> errors.add(new FieldError(path + ".mode", "must be replicated, global or replicated-job"));
        }
        Object deployLabels = deploy.get("labels");
        environmentLike(deployLabels, path + ".labels", errors).forEach(l -> {
            int eq = l.indexOf('=');
            labels.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
        });
        if (deploy.get("resources") instanceof Map<?, ?> resources) {
            if (resources.get("reservations") != null) {
                warnings.add(path + ".resources.reservations is not kept: the model holds limits only");
            }
            if (resources.get("limits") instanceof Map<?, ?> limits) {
                ObjectNode out = task.putObject("Resources").putObject("Limits");
                Object cpus = limits.get("cpus");
                if (cpus != null) {
                    try {
                        out.put("NanoCPUs", Quantities.millisToNanoCpus(Quantities.parseCpuMillis(String.valueOf(cpus))));
                    } catch (IllegalArgumentException e) {
                        errors.add(new FieldError(path + ".resources.limits.cpus", e.getMessage()));
                    }
                }
                Object memory = limits.get("memory");
                if (memory != null) {
                    Long bytes = bytes(String.valueOf(memory));
                    if (bytes == null) {
                        errors.add(new FieldError(path + ".resources.limits.memory",
                                "'" + memory + "' is not a byte value such as 256M, 1g or 1048576"));
                    } else {
                        out.put("MemoryBytes", bytes);
                    }
                }
            } else if (resources.get("limits") != null) {
                errors.add(new FieldError(path + ".resources.limits", "must be a mapping"));
            }
        } else if (deploy.get("resources") != null) {
            errors.add(new FieldError(path + ".resources", "must be a mapping"));
        }
        if (deploy.get("placement") instanceof Map<?, ?> placement) {
            putStrings(task.putObject("Placement"), "Constraints",
                    words(placement.get("constraints"), path + ".placement.constraints", errors));
        } else if (deploy.get("placement") != null) {
            errors.add(new FieldError(path + ".placement", "must be a mapping"));
        }
    }

    private static void ports(Object value, String path, ObjectNode spec, List<FieldError> errors) {
        if (value == null) {
            return;
        }
        if (!(value instanceof List<?> list)) {
            errors.add(new FieldError(path, "must be a list"));
            return;
        }
        ArrayNode out = spec.putObject("EndpointSpec").putArray("Ports");
        for (int i = 0; i < list.size(); i++) {
            Object p = list.get(i);
            String at = path + "[" + i + "]";
            ObjectNode port = DockerApi.JSON.createObjectNode();
            if (p instanceof Map<?, ?> m) {
                Integer target = m.get("target") instanceof Integer t && isPort(t) ? t : null;
                if (target == null) {
                    errors.add(new FieldError(at + ".target", "must be a port number (1-65535)"));
                    continue;
                }
                Object protocol = m.get("protocol") == null ? "tcp" : m.get("protocol");
                if (!(protocol instanceof String p_) || !PROTOCOLS.contains(p_.toLowerCase(Locale.ROOT))) {
                    errors.add(new FieldError(at + ".protocol", "must be tcp, udp or sctp"));
                    continue;
                }
                port.put("Protocol", p_.toLowerCase(Locale.ROOT));
                port.put("TargetPort", target);
                port.put("PublishMode", "host".equals(m.get("mode")) ? SwarmServiceWriter.PUBLISH_MODE_HOST
                        : SwarmServiceWriter.PUBLISH_MODE_INGRESS);
                Object published = m.get("published");
                if (published != null) {
                    Integer number = port(String.valueOf(published));
                    if (number == null) {
                        errors.add(new FieldError(at + ".published", "must be a port number (1-65535; ranges are not supported)"));
                        continue;
                    }
                    port.put("PublishedPort", number);
                }
            } else if (p instanceof String || p instanceof Integer) {
                Matcher short_ = SHORT_PORT.matcher(String.valueOf(p).trim());
                if (!short_.matches()) {
                    errors.add(new FieldError(at, "'" + p + "' is not [HOST:]CONTAINER[/PROTOCOL]"));
                    continue;
                }
                Integer target = port(short_.group(2));
                Integer published = short_.group(1) == null ? null : port(short_.group(1));
                if (target == null || (short_.group(1) != null && published == null)) {
                    errors.add(new FieldError(at, "'" + p + "' has a port outside 1-65535"));
                    continue;
                }
                port.put("Protocol", short_.group(3) == null ? "tcp" : short_.group(3));
                port.put("TargetPort", target);
                port.put("PublishMode", SwarmServiceWriter.PUBLISH_MODE_INGRESS);
                if (published != null) {
                    port.put("PublishedPort", published);
                }
            } else {
                errors.add(new FieldError(at, "must be a port string or a mapping"));
                continue;
            }
            out.add(port);
        }
    }

    /** A port number 1-65535 written in decimal, or {@code null}. */
    private static Integer port(String text) {
        if (!text.matches("[0-9]{1,5}")) {
            return null;
        }
        int n = Integer.parseInt(text);
        return isPort(n) ? n : null;
    }

    private static boolean isPort(int n) {
        return n >= 1 && n <= 65535;
    }

    private static void healthcheck(Object value, String path, ObjectNode container, List<FieldError> errors) {
        if (value == null) {
            return;
        }
        if (!(value instanceof Map<?, ?> check)) {
            errors.add(new FieldError(path, "must be a mapping"));
            return;
        }
        if (Boolean.TRUE.equals(check.get("disable"))) {
            return;
        }
        Object test = check.get("test");
        List<String> words = test instanceof String s ? List.of("CMD-SHELL", s) : words(test, path + ".test", errors);
        if (words.isEmpty()) {
            return;
        }
        ObjectNode out = container.putObject("Healthcheck");
        putStrings(out, "Test", words);
        for (String field : List.of("interval", "timeout")) {
            Object duration = check.get(field);
            if (duration != null) {
                Long nanos = nanos(String.valueOf(duration));
                if (nanos == null) {
                    errors.add(new FieldError(path + "." + field, "'" + duration + "' is not a duration such as 10s or 1m30s"));
                } else {
                    out.put(field.equals("interval") ? "Interval" : "Timeout", nanos);
                }
            }
        }
    }

    /** A string (split on blanks, as Compose does for a plain command) or a list of strings. */
    private static List<String> words(Object value, String path, List<FieldError> errors) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof String s) {
            return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
        }
        if (value instanceof List<?> list) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                Object item = list.get(i);
                if (item instanceof Map || item instanceof List || item == null) {
                    errors.add(new FieldError(path + "[" + i + "]", "must be a string"));
                } else {
                    out.add(String.valueOf(item));
                }
            }
            return out;
        }
        errors.add(new FieldError(path, "must be a string or a list of strings"));
        return List.of();
    }

    private static List<String> environment(Object value, String path, List<FieldError> errors) {
        return environmentLike(value, path, errors);
    }

    /** {@code KEY: value} mapping or {@code - KEY=value} list, as {@code environment} and {@code labels} accept. */
    private static List<String> environmentLike(Object value, String path, List<FieldError> errors) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof Map<?, ?> map) {
            List<String> out = new ArrayList<>();
            map.forEach((k, v) -> {
                if (v instanceof Map || v instanceof List) {
                    errors.add(new FieldError(path + "." + k, "must be a string, a number or a boolean"));
                } else {
                    out.add(k + "=" + (v == null ? "" : v));
                }
            });
            return out;
        }
        return words(value instanceof String ? List.of(value) : value, path, errors);
    }

    /** Docker's byte notation: binary units, {@code b} optional ({@code 256M}, {@code 1gb}, {@code 1024k}). */
    static Long bytes(String value) {
        Matcher m = BYTES.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        try {
            return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1L << shift)).longValueExact();
        } catch (ArithmeticException notWhole) {
            return null;
        }
    }

    /** Go's duration notation as Compose uses it: {@code 10s}, {@code 1m30s}, {@code 500ms}. */
    static Long nanos(String value) {
        String v = value.trim();
        Matcher m = DURATION_PART.matcher(v);
        long total = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                return null;
            }
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            try {
                BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
                total = Math.addExact(total, nanos.setScale(0, RoundingMode.DOWN).longValueExact());
            } catch (ArithmeticException tooLong) {
                return null;
            }
            end = m.end();
        }
        return end == v.length() && end > 0 ? total : null;
    }

    private static void putStrings(ObjectNode parent, String field, List<String> values) {
        if (!values.isEmpty()) {
            ArrayNode array = parent.putArray(field);
            values.forEach(array::add);
        }
    }

    private static void putList(Map<String, Object> map, String key, List<String> values) {
        if (!values.isEmpty()) {
            map.put(key, values);
        }
    }

    private static InvalidSpecException invalid(List<FieldError> errors) {
        return new InvalidSpecException("the Compose file is not valid: " + errors.get(0).field() + ": "
                + errors.get(0).message() + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""), errors);
    }

    /** The one YAML document of a Compose file, read under the parse budget of {@link ManifestReader}. */
    private static Object load(String document) {
        List<Object> documents = new ManifestReader().readYaml(document);
        if (documents.size() > 1) {
            throw InvalidSpecException.of("manifest", "a Compose file is one YAML document, not " + documents.size());
        }
        return documents.isEmpty() ? null : documents.get(0);
    }

    private static String dump(Object value) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        return new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(options), options).dump(value);
    }
}
