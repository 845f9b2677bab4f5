package io.gantry.marathon;

import static io.gantry.spi.json.Json.integer;
import static io.gantry.spi.json.Json.object;
import static io.gantry.spi.json.Json.text;

import io.gantry.spi.HealthCheck;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Quantities;
import io.gantry.spi.Resources;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.json.Json;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes the model as Marathon app JSON: a new app's body, or the patch of an existing app's definition
 * that keeps what the model does not know.
 */
final class MarathonAppWriter {
    private static final Set<String> SHELLS = Set.of("sh", "/bin/sh", "bash", "/bin/bash");
    /** Fields Marathon reports but refuses (or misreads) in a PUT body: {@code version} would mean "roll back". */
    private static final List<String> READ_ONLY_APP_FIELDS = List.of("version", "versionInfo", "tasks",
            "tasksRunning", "tasksStaged", "tasksHealthy", "tasksUnhealthy", "deployments", "lastTaskFailure",
            "taskStats", "readinessCheckResults");

    private MarathonAppWriter() {
    }

    /**
     * The body of Marathon's rollback, {@code PUT /v2/apps/{id}} with only the version (REST docs, "version
     * rollback": with {@code version} in the body the rest is ignored and the app gets that version's definition).
     */
    static ObjectNode rollbackTo(String version) {
        return Json.MAPPER.createObjectNode().put("version", version);
    }

    /**
     * The body of {@code POST /v2/apps}. Marathon has no jobs (that is Metronome) and no StatefulSet
     * equivalent; a DAEMON becomes one instance per agent with a {@code hostname:UNIQUE} constraint.
     *
     * @param nodeCount number of Mesos agents when known
     */
    static ObjectNode newApp(WorkloadDefinition definition, Integer nodeCount) {
        if (definition.kind() == WorkloadKind.JOB || definition.kind() == WorkloadKind.STATEFUL) {
            throw InvalidSpecException.of("kind", "Marathon runs long-running apps only (SERVICE or DAEMON), not "
                    + definition.kind());
        }
        if (definition.name() == null || definition.name().isBlank()) {
            throw InvalidSpecException.of("name", "is required");
        }
        ObjectNode app = Json.MAPPER.createObjectNode();
        app.put("id", MarathonIds.appId(definition.namespace(), definition.name()));
        WorkloadSpec spec = definition.spec();
        Integer instances = spec.replicas();
        List<String> constraints = new ArrayList<>(spec.constraints());
        if (definition.kind() == WorkloadKind.DAEMON) {
            if (constraints.stream().noneMatch(c -> c.equals("hostname:UNIQUE"))) {
                constraints.add("hostname:UNIQUE");
            }
            instances = nodeCount != null ? nodeCount : instances;
            if (instances == null) {
                throw InvalidSpecException.of("spec.replicas", "a DAEMON on Marathon needs the engine option "
                        + "mesosUrl (to count the agents) or an explicit replica count");
            }
        }
        apply(app, spec, instances == null ? 1 : instances, constraints);
        ObjectNode labels = app.putObject("labels");
        definition.labels().forEach(labels::put);
        return app;
    }

    /**
     * The body of {@code PUT /v2/apps/{id}}: the current definition with the model's fields replaced, so
     * that what the model does not know (other volumes, fetch URIs, upgrade strategy) is kept.
     */
    static ObjectNode updatedApp(JsonNode current, WorkloadSpec spec) {
        ObjectNode app = (ObjectNode) current.deepCopy();
        READ_ONLY_APP_FIELDS.forEach(app::remove);
        Integer instances = spec.replicas() != null ? spec.replicas() : integer(current, "instances");
        apply(app, spec, instances == null ? 1 : instances, spec.constraints());
        return app;
    }

    private static void apply(ObjectNode app, WorkloadSpec spec, int instances, List<String> constraints) {
        if (spec.image() == null && spec.command().isEmpty() && spec.args().isEmpty()) {
            throw InvalidSpecException.of("spec.command", "an app without an image needs a command");
        }
        if (spec.image() == null && spec.command().isEmpty()) {
            throw InvalidSpecException.of("spec.command", "Marathon runs args only against a container image");
        }
        MarathonSecretRefs.Detached secrets = MarathonSecretRefs.detach(app, spec.secrets(), spec.env());
        writeCommand(app, spec);
        writeEnv(app, spec);
        app.put("instances", instances);
        Resources r = spec.resources();
        if (r.cpuMillis() != null) {
            app.put("cpus", Quantities.millisToCores(r.cpuMillis()));
        }
        if (r.memoryBytes() != null) {
            app.put("mem", Quantities.bytesToMebibytes(r.memoryBytes()));
        }
        app.remove(List.of("ports", "portDefinitions", "requirePorts"));
        if (spec.image() != null) {
            writeContainer(app, spec);
        } else {
            app.remove("container");
            writePortDefinitions(app, spec.ports());
        }
        writeHealthCheck(app.putArray("healthChecks"), spec);
        writeConstraints(app.putArray("constraints"), constraints);
        secrets.attach(app);
    }

    /**
     * The body of {@code PUT /v2/apps/{id}} that replaces only the labels: the current definition as it is, so that
     * nothing else changes (Marathon still restarts the tasks: a label is part of the app's configuration).
     */
    static ObjectNode relabeled(JsonNode current, Map<String, String> labels) {
        ObjectNode app = (ObjectNode) current.deepCopy();
        READ_ONLY_APP_FIELDS.forEach(app::remove);
        ObjectNode out = app.putObject("labels");
        labels.forEach(out::put);
        return app;
    }

    private static void writeCommand(ObjectNode app, WorkloadSpec spec) {
        app.remove(List.of("cmd", "args"));
        if (!spec.command().isEmpty()) {
            List<String> cmd = spec.command();
            if (cmd.size() == 3 && SHELLS.contains(cmd.get(0)) && cmd.get(1).equals("-c") && spec.args().isEmpty()) {
                app.put("cmd", cmd.get(2));
            } else {
                List<String> all = new ArrayList<>(cmd);
                all.addAll(spec.args());
                app.put("cmd", shellJoin(all));
            }
        } else if (!spec.args().isEmpty()) {
            ArrayNode args = app.putArray("args");
            spec.args().forEach(args::add);
        }
    }

    private static void writeEnv(ObjectNode app, WorkloadSpec spec) {
        ObjectNode env = Json.MAPPER.createObjectNode();
        JsonNode oldEnv = object(app, "env");
        if (oldEnv != null) {
            // secret references MarathonSecretRefs left (to undefined ids): kept; the others come back from the spec
            oldEnv.forEachEntry((k, v) -> {
                if (v.isObject()) {
                    env.set(k, v);
                }
            });
        }
        spec.env().forEach(env::put);
        app.set("env", env);
    }

    private static void writeContainer(ObjectNode app, WorkloadSpec spec) {
        ObjectNode container = object(app, "container") instanceof ObjectNode c ? c : app.putObject("container");
        if (!"MESOS".equals(text(container, "type"))) {
            container.put("type", "DOCKER");
        }
        ObjectNode docker = object(container, "docker") instanceof ObjectNode d ? d : container.putObject("docker");
        docker.put("image", spec.image());
        docker.remove(List.of("portMappings", "network"));
        ArrayNode mappings = container.putArray("portMappings");
        for (PortMapping p : spec.ports()) {
            mappings.addObject().put("containerPort", p.containerPort())
                    .put("hostPort", p.publishedPort() == null ? 0 : p.publishedPort())
                    .put("protocol", p.protocol());
        }
        if (!spec.ports().isEmpty() && !app.has("networks")) {
            app.putArray("networks").addObject().put("mode", "container/bridge");
        }
    }

    /** Host networking: the ports the process binds on its host; a published port pins them all. */
    private static void writePortDefinitions(ObjectNode app, List<PortMapping> ports) {
        ArrayNode definitions = app.putArray("portDefinitions");
        boolean pinned = false;
        for (PortMapping p : ports) {
            int port = p.publishedPort() != null ? p.publishedPort() : p.containerPort();
            pinned |= p.publishedPort() != null;
            definitions.addObject().put("port", port).put("protocol", p.protocol());
        }
        app.put("requirePorts", pinned);
    }

    private static void writeHealthCheck(ArrayNode checks, WorkloadSpec spec) {
        HealthCheck hc = spec.healthCheck();
        if (hc == null) {
            return;
        }
        ObjectNode check = checks.addObject();
        switch (hc.type()) {
            case HTTP -> check.put("protocol", "HTTP").put("path", hc.path() == null ? "/" : hc.path());
            case TCP -> check.put("protocol", "TCP");
            case COMMAND -> check.put("protocol", "COMMAND").putObject("command")
                    .put("value", commandText(hc.command()));
        }
        if (hc.type() != HealthCheck.Type.COMMAND) {
            int index = portIndex(spec.ports(), hc.port());
            if (index >= 0) {
                check.put("portIndex", index);
            } else if (hc.port() != null) {
                check.put("port", hc.port());
            }
        }
        if (hc.intervalSeconds() != null) {
            check.put("intervalSeconds", hc.intervalSeconds());
        }
        if (hc.timeoutSeconds() != null) {
            check.put("timeoutSeconds", hc.timeoutSeconds());
        }
    }

    private static void writeConstraints(ArrayNode out, List<String> constraints) {
        for (int i = 0; i < constraints.size(); i++) {
            String[] parts = constraints.get(i).split(":", 3);
            if (parts.length < 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw InvalidSpecException.of("spec.constraints[" + i + "]",
                        "Marathon constraints are field:OPERATOR[:value], e.g. hostname:UNIQUE");
            }
            ArrayNode c = out.addArray();
            for (String p : parts) {
                c.add(p);
            }
        }
    }

    private static int portIndex(List<PortMapping> ports, Integer port) {
        for (int i = 0; port != null && i < ports.size(); i++) {
            if (ports.get(i).containerPort() == port) {
                return i;
            }
        }
        return -1;
    }

    private static String commandText(List<String> command) {
        if (command.size() == 3 && SHELLS.contains(command.get(0)) && command.get(1).equals("-c")) {
            return command.get(2);
        }
        return shellJoin(command);
    }

    /** Marathon's {@code cmd} is one shell string: quote every word that needs it. */
    static String shellJoin(Collection<String> words) {
        List<String> out = new ArrayList<>();
        for (String w : words) {
            out.add(w.matches("[A-Za-z0-9_@%+=:,./-]+") ? w : "'" + w.replace("'", "'\"'\"'") + "'");
        }
        return String.join(" ", out);
    }
}
