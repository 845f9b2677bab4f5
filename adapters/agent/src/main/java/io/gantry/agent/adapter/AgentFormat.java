package io.gantry.agent.adapter;

import com.google.gson.Gson;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.gantry.agent.api.v1.Container;
import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.spi.HealthCheck;
import io.gantry.spi.InvalidSpecException.FieldError;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.ManifestFormat;
import io.gantry.spi.ManifestLimits;
import io.gantry.spi.ManifestReader;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node agent's own spec: its {@code gantry.agent.v1.Container} message (id, namespace, labels, spec)
 * in protobuf's canonical JSON, as {@code Containers.Create} takes it. Parsing takes one container or a
 * JSON array of them; unknown fields and wrongly typed values are errors, as the agent's API would
 * have them. Its spec holds the model's own units, so there is no native notation to show beside them.
 */
public final class AgentFormat implements ManifestFormat {
    private static final Description DESCRIPTION = new Description("agent", "application/json", "agent");
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();
    private static final Gson GSON = new Gson();

    @Override
    public Description description() {
        return DESCRIPTION;
    }

    @Override
    public Rendered render(WorkloadDefinition workload) {
        List<String> warnings = new ArrayList<>();
        if (workload.kind() == WorkloadKind.DAEMON && workload.spec().replicas() == null) {
            warnings.add("an agent engine runs a DAEMON once per agent: rendered with replicas 1");
        }
        Container container = Container.newBuilder().setId(workload.name()).setNamespace(workload.namespace())
                .putAllLabels(workload.labels())
                .setSpec(AgentWorkloadMapper.toContainerSpec(workload.spec(), workload.kind())).build();
        try {
            return new Rendered(PRINTER.print(container) + "\n", warnings);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a built message always prints", e);
        }
    }

    @Override
    public List<Parsed> parse(String document) {
        Object root = new ManifestReader().readJson(document);
        boolean many = root instanceof List<?>;
        List<?> items = many ? (List<?>) root : root == null ? List.of() : List.of(root);
        if (items.size() > ManifestLimits.MAX_WORKLOADS) {
            throw InvalidSpecException.of("manifest", "at most " + ManifestLimits.MAX_WORKLOADS + " containers");
        }
        List<FieldError> errors = new ArrayList<>();
        List<Parsed> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String path = many ? "[" + i + "]" : "";
            Container c = container(items.get(i), path, errors);
            if (c == null) {
                continue;
            }
            WorkloadKind kind;
            try {
                kind = AgentWorkloadMapper.kind(c.getSpec());
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError(join(path, "spec.kind"), "must be SERVICE, DAEMON, STATEFUL or JOB"));
                continue;
            }
            out.add(new Parsed(new WorkloadDefinition(c.getNamespace(), c.getId(), kind, c.getLabelsMap(),
                    AgentWorkloadMapper.toSpec(c.getSpec())), List.of()));
        }
        if (out.isEmpty() && errors.isEmpty()) {
            errors.add(new FieldError("manifest", "no container found"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException("the agent spec is not valid: " + errors.get(0).field() + ": "
                    + errors.get(0).message(), errors);
        }
        return out;
    }

    /** One container of the document, or {@code null} with its errors added. */
    private static Container container(Object item, String path, List<FieldError> errors) {
        if (!(item instanceof Map<?, ?> object)) {
            errors.add(new FieldError(path.isEmpty() ? "manifest" : path, "must be an agent container object"));
            return null;
        }
        int before = errors.size();
        ProtoJsonShape.check(Container.getDescriptor(), object, path, errors);
        if (errors.size() > before) {
            return null;
        }
        Container.Builder b = Container.newBuilder();
        try {
            PARSER.merge(GSON.toJson(object), b);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            // the shape was checked: what is left is a value JsonFormat refuses (a malformed timestamp)
            errors.add(new FieldError(path.isEmpty() ? "manifest" : path, "not an agent container spec: " + e.getMessage()));
            return null;
        }
        Container c = b.build();
        if (c.getId().isBlank()) {
            errors.add(new FieldError(join(path, "id"), "is required"));
        }
        ContainerSpec spec = c.getSpec();
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("spec.replicas", (long) spec.getReplicas());
        counts.put("spec.cpuMillis", spec.getCpuMillis());
        counts.put("spec.memoryBytes", spec.getMemoryBytes());
        counts.put("spec.stopGraceSeconds", (long) spec.getStopGraceSeconds());
        for (int i = 0; i < spec.getPortsCount(); i++) {
            counts.put("spec.ports[" + i + "].containerPort", (long) spec.getPorts(i).getContainerPort());
            counts.put("spec.ports[" + i + "].publishedPort", (long) spec.getPorts(i).getPublishedPort());
        }
        String check = spec.getHealthCheck().getType();
        if (!check.isEmpty() && Arrays.stream(HealthCheck.Type.values()).noneMatch(t -> t.name().equalsIgnoreCase(check))) {
            errors.add(new FieldError(join(path, "spec.healthCheck.type"), "must be HTTP, TCP or COMMAND"));
        }
        counts.forEach((field, n) -> {
            if (n < 0) {
                errors.add(new FieldError(join(path, field), "must be 0 or more"));
            } else if (field.endsWith("Port") && n > 65535) {
                errors.add(new FieldError(join(path, field), "must be a port number (0-65535)"));
            }
        });
        return errors.size() == before ? c : null;
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
