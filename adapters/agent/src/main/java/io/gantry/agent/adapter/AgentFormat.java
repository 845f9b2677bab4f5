package io.gantry.agent.adapter;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.gantry.agent.api.v1.Container;
import io.gantry.spi.InvalidSpecException.FieldError;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.ManifestFormat;
import io.gantry.spi.ManifestLimits;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The node agent's own spec: its {@code gantry.agent.v1.Container} message (id, namespace, labels, spec)
 * in protobuf's canonical JSON, as {@code Containers.Create} takes it. Parsing takes one container or a
 * JSON array of them; unknown fields and wrongly typed values are errors, as the agent's API would
 * have them.
 */
public final class AgentFormat implements ManifestFormat {
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    @Override
    public String name() {
        return "agent";
    }

    @Override
    public String mediaType() {
        return "application/json";
    }

    @Override
    public String engineKind() {
        return "agent";
    }

    @Override
    public Map<String, String> nativeNotation(WorkloadSpec spec) {
        // the agent's spec holds the model's own units: nothing to show beside them
        return Map.of();
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
        String text = document == null ? "" : document.strip();
        if (text.length() > ManifestLimits.MAX_CODE_POINTS) {
            throw InvalidSpecException.of("manifest", "larger than " + ManifestLimits.MAX_CODE_POINTS + " characters");
        }
        List<String> items = text.startsWith("[") ? elements(text) : List.of(text);
        if (items.size() > ManifestLimits.MAX_WORKLOADS) {
            throw InvalidSpecException.of("manifest", "at most " + ManifestLimits.MAX_WORKLOADS + " containers");
        }
        List<FieldError> errors = new ArrayList<>();
        List<Parsed> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String path = items.size() == 1 && !text.startsWith("[") ? "manifest" : "[" + i + "]";
            Container.Builder b = Container.newBuilder();
            try {
                PARSER.merge(items.get(i), b);
            } catch (InvalidProtocolBufferException | RuntimeException e) {
                errors.add(new FieldError(path, "not an agent container spec: " + e.getMessage()));
                continue;
            }
            Container c = b.build();
            if (c.getId().isBlank()) {
                errors.add(new FieldError(path.equals("manifest") ? "id" : path + ".id", "is required"));
                continue;
            }
            WorkloadKind kind;
            try {
                kind = AgentWorkloadMapper.kind(c.getSpec());
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError((path.equals("manifest") ? "" : path + ".") + "spec.kind",
                        "must be SERVICE, DAEMON, STATEFUL or JOB"));
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

    /** The elements of a JSON array as texts, so that each parses (and fails) on its own. */
    private static List<String> elements(String array) {
        JsonElement root;
        try {
            root = JsonParser.parseString(array);
        } catch (RuntimeException | StackOverflowError e) {
            throw InvalidSpecException.of("manifest", "not valid JSON: " + e.getMessage());
        }
        List<String> out = new ArrayList<>();
        root.getAsJsonArray().forEach(e -> out.add(e.toString()));
        return out;
    }
}
