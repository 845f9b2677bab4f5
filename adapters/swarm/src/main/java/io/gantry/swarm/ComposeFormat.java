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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Docker's Compose file format (compose-spec), as {@code docker stack deploy} reads it. A Compose
 * service is translated to and from a Swarm ServiceSpec, so the model mapping is the adapter's own
 * ({@link SwarmServiceReader}, {@link SwarmServiceWriter}); field values are read by {@link ComposeValues}.
 * Compose's {@code entrypoint} is the ServiceSpec's Command and {@code command} its Args; {@code deploy.labels} are the service's labels; the project {@code name} is
 * the stack, i.e. the namespace.
 */
public final class ComposeFormat implements ManifestFormat {
    private static final Description DESCRIPTION = new Description("compose", "application/yaml", "swarm");
    /** Top-level keys of the compose-spec; anything else (except {@code x-} extensions) is a mistake. */
    private static final Set<String> TOP_LEVEL = Set.of("version", "name", "services", "networks", "volumes",
            "configs", "secrets", "include");
    /** Service keys the model maps; others are reported as not kept. */
    private static final Set<String> MAPPED_SERVICE_KEYS = Set.of("image", "entrypoint", "command", "environment",
            "ports", "deploy", "healthcheck");
    private static final Set<String> MAPPED_DEPLOY_KEYS = Set.of("mode", "replicas", "labels", "resources", "placement");

    private final SwarmServiceWriter writer = new SwarmServiceWriter(SwarmServiceWriter.PUBLISH_MODE_INGRESS);

    @Override
    public Description description() {
        return DESCRIPTION;
    }

    @Override
    public Map<String, String> nativeNotation(WorkloadSpec spec) {
        // what the Engine API (docker service inspect) holds, not Compose's shorthand
        return ManifestFormat.resourceNotation(spec, cpu -> "NanoCPUs: " + Quantities.millisToNanoCpus(cpu),
                memory -> "MemoryBytes: " + memory);
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
        if (!workload.spec().secrets().isEmpty()) {
            // a Compose secret names one Swarm object; a Gantry reference names an object and a key, resolved against
            // the engine at deploy time, which a file written without the engine cannot do
            warnings.add("spec.secrets: " + workload.spec().secrets().size() + " secret/config reference(s) are not"
                    + " written: Compose names one Swarm object per secret, Gantry an object and a key");
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
            limitMap.put("memory", bytes % ComposeValues.MIB == 0 ? bytes / ComposeValues.MIB + "M" : bytes + "b");
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
            ObjectNode native_ = Json.MAPPER.createObjectNode();
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
        ObjectNode spec = Json.MAPPER.createObjectNode();
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
        ComposeValues.putStrings(container, "Command", ComposeValues.words(service.get("entrypoint"), path + ".entrypoint", errors));
        ComposeValues.putStrings(container, "Args", ComposeValues.words(service.get("command"), path + ".command", errors));
        ComposeValues.putStrings(container, "Env", ComposeValues.environment(service.get("environment"), path + ".environment", errors));
        ComposeValues.ports(service.get("ports"), path + ".ports", spec, errors);
        ComposeValues.healthcheck(service.get("healthcheck"), path + ".healthcheck", container, errors);
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
        ComposeValues.environmentLike(deployLabels, path + ".labels", errors).forEach(l -> {
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
                    Long bytes = ComposeValues.bytes(String.valueOf(memory));
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
            ComposeValues.putStrings(task.putObject("Placement"), "Constraints",
                    ComposeValues.words(placement.get("constraints"), path + ".placement.constraints", errors));
        } else if (deploy.get("placement") != null) {
            errors.add(new FieldError(path + ".placement", "must be a mapping"));
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
