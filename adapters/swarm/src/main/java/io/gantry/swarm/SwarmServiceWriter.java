package io.gantry.swarm;

import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Quantities;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes the model as a Swarm ServiceSpec: a new service's spec, or the model's fields written into the spec
 * a service has, keeping what the model does not know.
 */
final class SwarmServiceWriter {
    static final String PUBLISH_MODE_INGRESS = "ingress";
    static final String PUBLISH_MODE_HOST = "host";
    /** Labels Gantry keeps for itself on a service; a relabel keeps them. */
    static final String GANTRY_LABEL_PREFIX = "io.gantry.";

    private final String publishMode;

    /** @param publishMode how new published ports are exposed: {@code ingress} (Swarm's default) or {@code host} */
    SwarmServiceWriter(String publishMode) {
        this.publishMode = publishMode;
    }

    /** The service's full name on the engine: Swarm stacks prefix their services with the stack name. */
    static String serviceName(String namespace, String name) {
        return namespace == null || namespace.isEmpty() ? name : namespace + "_" + name;
    }

    /**
     * A ServiceSpec for {@code POST /services/create}.
     *
     * @throws InvalidSpecException listing every field Swarm would refuse or could not run
     */
    ObjectNode serviceSpec(WorkloadDefinition definition) {
        SwarmSpecRules.check(definition);
        String fullName = serviceName(definition.namespace(), definition.name());

        ObjectNode spec = Json.MAPPER.createObjectNode();
        spec.put("Name", fullName);
        ObjectNode labels = spec.putObject("Labels");
        definition.labels().forEach(labels::put);
        ObjectNode task = spec.putObject("TaskTemplate");
        ObjectNode container = task.putObject("ContainerSpec");
        if (!definition.namespace().isEmpty()) {
            // what `docker stack deploy` sets, so the CLI lists the service under its stack too
            labels.put(SwarmServiceReader.STACK_NAMESPACE_LABEL, definition.namespace());
            container.putObject("Labels").put(SwarmServiceReader.STACK_NAMESPACE_LABEL, definition.namespace());
        }
        ObjectNode mode = spec.putObject("Mode");
        Integer replicas = definition.spec().replicas();
        switch (definition.kind()) {
            case DAEMON -> mode.putObject("Global");
            case JOB -> {
                mode.putObject("ReplicatedJob").put("MaxConcurrent", replicas == null ? 1 : replicas)
                        .put("TotalCompletions", replicas == null ? 1 : replicas);
                // a job's task that exits 0 must not be restarted; a failed one is retried (docker CLI default)
                task.putObject("RestartPolicy").put("Condition", "on-failure");
            }
            default -> mode.putObject("Replicated").put("Replicas", replicas == null ? 1 : replicas);
        }
        writeSpec(spec, definition.spec(), null);
        return spec;
    }

    /**
     * Writes the model's fields into an existing ServiceSpec, keeping every field the model does not know
     * (networks, mounts, secrets, update policy, publish modes) and every value that only differs in
     * notation (an image pinned by digest, env order), so that an unchanged spec starts no rolling update.
     *
     * @throws InvalidSpecException when the spec cannot apply to this service
     */
    void updateSpec(ObjectNode serviceSpec, WorkloadSpec spec) {
        JsonNode mode = serviceSpec.path("Mode");
        WorkloadKind kind = SwarmServiceReader.kindOf(mode);
        SwarmSpecRules.check(spec, kind);
        if (spec.replicas() != null) {
            setReplicas(serviceSpec, spec.replicas());
        }
        ObjectNode previous = serviceSpec.deepCopy();
        writeSpec(serviceSpec, spec, previous);
    }

    /** @throws InvalidSpecException for services without a replica count (global services, jobs) */
    void setReplicas(ObjectNode serviceSpec, int replicas) {
        if (replicas < 0) {
            throw InvalidSpecException.of("spec.replicas", "must be 0 or more");
        }
        JsonNode mode = serviceSpec.path("Mode");
        if (mode.path("Replicated") instanceof ObjectNode replicated) {
            replicated.put("Replicas", replicas);
        } else if (mode.has("Global") || mode.has("GlobalJob")) {
            throw InvalidSpecException.of("spec.replicas",
                    "a global Swarm service runs one task per eligible node and has no replica count");
        } else if (mode.path("ReplicatedJob") instanceof ObjectNode job) {
            job.put("TotalCompletions", replicas);
            if (job.path("MaxConcurrent").asInt(1) > replicas) {
                job.put("MaxConcurrent", Math.max(replicas, 1));
            }
        }
    }

    /**
     * Replaces the service's labels with {@code labels}, keeping the stack label (which places the service in its
     * namespace) and Gantry's own {@code io.gantry.*} labels not given; nothing else of the spec changes, so Swarm
     * starts no rolling update.
     *
     * @throws InvalidSpecException naming {@code labels} for an empty key or a missing value
     */
    void relabel(ObjectNode serviceSpec, Map<String, String> labels) {
        ObjectNode newLabels = Json.MAPPER.createObjectNode();
        List<InvalidSpecException.FieldError> errors = new ArrayList<>();
        (labels == null ? Map.<String, String>of() : labels).forEach((key, value) -> {
            if (key == null || key.isBlank() || value == null) {
                errors.add(new InvalidSpecException.FieldError("labels", "'" + key + "' needs a non-empty key and a value"));
            } else if (!SwarmServiceReader.STACK_NAMESPACE_LABEL.equals(key)) {
                newLabels.put(key, value);
            }
        });
        if (!errors.isEmpty()) {
            throw new InvalidSpecException("labels: " + errors.get(0).message(), errors);
        }
        Json.stringMap(serviceSpec.path("Labels")).forEach((key, value) -> {
            if ((key.startsWith(GANTRY_LABEL_PREFIX) && !newLabels.has(key)) || key.equals(SwarmServiceReader.STACK_NAMESPACE_LABEL)) {
                newLabels.put(key, value);
            }
        });
        serviceSpec.set("Labels", newLabels);
    }

    /** Swarm replaces every task when ForceUpdate changes, even if nothing else did (a rolling restart). */
    void forceRestart(ObjectNode serviceSpec) {
        ObjectNode task = objectAt(serviceSpec, "TaskTemplate");
        task.put("ForceUpdate", task.path("ForceUpdate").asLong(0) + 1);
    }

    private void writeSpec(ObjectNode serviceSpec, WorkloadSpec spec, JsonNode previous) {
        ObjectNode task = objectAt(serviceSpec, "TaskTemplate");
        ObjectNode container = objectAt(task, "ContainerSpec");
        String oldImage = Json.text(container, "Image");
        if (oldImage == null || !Objects.equals(ImageReference.withoutDigest(oldImage), spec.image())) {
            container.put("Image", spec.image());
        }
        putStrings(container, "Command", spec.command());
        putStrings(container, "Args", spec.args());
        if (!SwarmServiceReader.env(container.path("Env")).equals(spec.env())) {
            List<String> env = new ArrayList<>();
            spec.env().forEach((k, v) -> env.add(k + "=" + v));
            putStrings(container, "Env", env);
        }
        SwarmHealthChecks.write(container, spec.healthCheck());

        ObjectNode limits = objectAt(objectAt(task, "Resources"), "Limits");
        if (spec.resources().cpuMillis() != null) {
            limits.put("NanoCPUs", Quantities.millisToNanoCpus(spec.resources().cpuMillis()));
        } else {
            limits.remove("NanoCPUs");
        }
        if (spec.resources().memoryBytes() != null) {
            limits.put("MemoryBytes", spec.resources().memoryBytes());
        } else {
            limits.remove("MemoryBytes");
        }
        putStrings(objectAt(task, "Placement"), "Constraints", spec.constraints());
        writePorts(serviceSpec, spec.ports(), previous);
    }

    private void writePorts(ObjectNode serviceSpec, List<PortMapping> ports, JsonNode previous) {
        JsonNode oldPorts = previous == null ? Json.MAPPER.createArrayNode()
                : previous.path("EndpointSpec").path("Ports");
        if (previous != null && ports.equals(portsAsAsked(oldPorts))) {
            return;
        }
        if (ports.isEmpty()) {
            if (serviceSpec.path("EndpointSpec") instanceof ObjectNode endpoint) {
                endpoint.remove("Ports");
            }
            return;
        }
        ObjectNode endpoint = objectAt(serviceSpec, "EndpointSpec");
        ArrayNode out = endpoint.putArray("Ports");
        for (PortMapping port : ports) {
            String mode = publishMode;
            for (JsonNode old : oldPorts) {
                if (old.path("TargetPort").asInt(0) == port.containerPort()
                        && port.protocol().equals(Json.text(old, "Protocol", "tcp"))) {
                    mode = Json.text(old, "PublishMode", PUBLISH_MODE_INGRESS);
                }
            }
            ObjectNode p = out.addObject().put("Protocol", port.protocol()).put("TargetPort", port.containerPort())
                    .put("PublishMode", mode);
            if (port.publishedPort() != null) {
                p.put("PublishedPort", port.publishedPort());
            }
        }
    }

    private static List<PortMapping> portsAsAsked(JsonNode ports) {
        List<PortMapping> out = new ArrayList<>();
        for (JsonNode port : ports) {
            out.add(new PortMapping(port.path("TargetPort").asInt(0), SwarmServiceReader.positive(port.path("PublishedPort").asInt(0)),
                    Json.text(port, "Protocol", "tcp")));
        }
        return out;
    }

    private static ObjectNode objectAt(ObjectNode parent, String field) {
        return parent.path(field) instanceof ObjectNode existing ? existing : parent.putObject(field);
    }

    private static void putStrings(ObjectNode parent, String field, List<String> values) {
        if (values.isEmpty()) {
            parent.remove(field);
        } else {
            ArrayNode array = parent.putArray(field);
            values.forEach(array::add);
        }
    }
}
