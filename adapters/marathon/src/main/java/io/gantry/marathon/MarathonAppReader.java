package io.gantry.marathon;

import static io.gantry.spi.json.Json.array;
import static io.gantry.spi.json.Json.bool;
import static io.gantry.spi.json.Json.doubleValue;
import static io.gantry.spi.json.Json.instant;
import static io.gantry.spi.json.Json.intOr;
import static io.gantry.spi.json.Json.integer;
import static io.gantry.spi.json.Json.object;
import static io.gantry.spi.json.Json.strings;
import static io.gantry.spi.json.Json.text;

import io.gantry.spi.HealthCheck;
import io.gantry.spi.Instance;
import io.gantry.spi.InstanceState;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Quantities;
import io.gantry.spi.Resources;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Reads Marathon apps (REST API v2, as the RAML in {@code docs/docs/rest-api/public/api} describes it) and
 * their tasks into the model; {@link MarathonStatusRules} judges their status.
 */
final class MarathonAppReader {
    /** Embeds of {@code GET /v2/apps} that give everything the model needs in one call. */
    static final String APP_EMBEDS =
            "embed=apps.tasks&embed=apps.counts&embed=apps.deployments&embed=apps.lastTaskFailure";
    /** The same for {@code GET /v2/apps/{id}} (singular prefix). */
    static final String ONE_APP_EMBEDS =
            "embed=app.tasks&embed=app.counts&embed=app.deployments&embed=app.lastTaskFailure";

    private MarathonAppReader() {
    }

    /**
     * An app from {@code GET /v2/apps} (with the embeds of {@link #APP_EMBEDS}), from {@code GET /v2/groups}
     * or from a write's answer.
     *
     * @param progress  the deployments and launch queue entry that concern it ({@link MarathonProgress#NONE} when
     *                  unknown)
     * @param nodeCount number of Mesos agents when known (to recognise a DAEMON), else {@code null}
     */
    static Workload app(JsonNode app, MarathonProgress progress, Integer nodeCount) {
        String id = MarathonIds.normalizeId(text(app, "id"));
        boolean daemon = isDaemon(app, nodeCount);
        List<JsonNode> tasks = array(app, "tasks");
        List<Instance> instances = tasks.stream().map(MarathonAppReader::task).toList();
        return new Workload(id, MarathonIds.namespaceOf(id), MarathonIds.nameOf(id),
                daemon ? WorkloadKind.DAEMON : WorkloadKind.SERVICE, plainStrings(object(app, "labels")),
                appSpec(app, daemon), MarathonStatusRules.appStatus(app, tasks, instances, progress),
                // the mapper writes the same compact JSON as toString() in half the time: it counts at 100,000 apps
                instances, null, Json.MAPPER.writeValueAsString(app));
    }

    /** API.md: an app with a UNIQUE hostname constraint and instances == node count is a DAEMON. */
    static boolean isDaemon(JsonNode app, Integer nodeCount) {
        int instances = intOr(app, "instances", 1);
        return nodeCount != null && nodeCount > 0 && instances == nodeCount && hasUniqueHostname(app);
    }

    private static boolean hasUniqueHostname(JsonNode app) {
        for (JsonNode c : array(app, "constraints")) {
            if (c.isArray() && c.size() >= 2 && "hostname".equals(c.get(0).asString())
                    && "UNIQUE".equalsIgnoreCase(c.get(1).asString())) {
                return true;
            }
        }
        return false;
    }

    /** An app definition without {@code instances} runs one (RAML {@code AppDefinition}: default 1). */
    static WorkloadSpec appSpec(JsonNode app, boolean daemon) {
        JsonNode container = object(app, "container");
        String cmd = text(app, "cmd");
        List<String> command = cmd == null || cmd.isBlank() ? List.of() : List.of("/bin/sh", "-c", cmd);
        List<PortMapping> ports = appPorts(app, container);
        Double cpus = doubleValue(app, "cpus");
        Double mem = doubleValue(app, "mem");
        Resources resources = new Resources(cpus == null ? null : Quantities.coresToMillis(cpus),
                mem == null ? null : Quantities.mebibytesToBytes(mem));
        return new WorkloadSpec(image(container), command, strings(app, "args"), plainStrings(object(app, "env")),
                ports, resources, daemon ? null : intOr(app, "instances", 1), appHealthCheck(app, ports),
                constraints(array(app, "constraints")), null, MarathonSecretRefs.read(app));
    }

    private static String image(JsonNode container) {
        if (container == null) {
            return null;
        }
        String docker = text(object(container, "docker"), "image");
        if (docker != null) {
            return docker;
        }
        // UCR (type MESOS) with an AppC image: {"appc": {"image": "..."}}
        return text(object(container, "appc"), "image");
    }

    /**
     * Plain string values only, for env and labels: Marathon env values may also be secret references
     * ({@code {"secret": "..."}}), which are the spec's secrets ({@link MarathonSecretRefs}).
     */
    static Map<String, String> plainStrings(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        if (object != null) {
            object.forEachEntry((k, v) -> {
                if (v.isValueNode() && !v.isNull()) {
                    out.put(k, v.asString());
                }
            });
        }
        return out;
    }

    /**
     * Container networking (1.5+: {@code container.portMappings}; before: {@code container.docker.portMappings})
     * gives container ports; host networking ({@code portDefinitions}, or the pre-1.0 {@code ports} list) gives
     * ports the process binds on the host. Port 0 asks Marathon for a random port: there is no fixed port to
     * report, so it is left out.
     */
    private static List<PortMapping> appPorts(JsonNode app, JsonNode container) {
        List<PortMapping> out = new ArrayList<>();
        List<JsonNode> mappings = array(container, "portMappings");
        if (mappings.isEmpty()) {
            mappings = array(object(container, "docker"), "portMappings");
        }
        if (!mappings.isEmpty()) {
            for (JsonNode m : mappings) {
                int containerPort = intOr(m, "containerPort", 0);
                int hostPort = intOr(m, "hostPort", 0);
                if (containerPort > 0) {
                    out.add(new PortMapping(containerPort, hostPort > 0 ? hostPort : null, protocol(m)));
                }
            }
            return out;
        }
        boolean requirePorts = bool(app, "requirePorts");
        List<JsonNode> definitions = array(app, "portDefinitions");
        if (!definitions.isEmpty()) {
            for (JsonNode d : definitions) {
                int port = intOr(d, "port", 0);
                if (port > 0) {
                    out.add(new PortMapping(port, requirePorts ? port : null, protocol(d)));
                }
            }
            return out;
        }
        for (JsonNode p : array(app, "ports")) {
            if (p.isNumber() && p.asInt() > 0) {
                out.add(new PortMapping(p.asInt(), requirePorts ? p.asInt() : null, "tcp"));
            }
        }
        return out;
    }

    /** Marathon writes {@code "udp,tcp"} for a port open on both: the model has one protocol, the first wins. */
    private static String protocol(JsonNode port) {
        return text(port, "protocol", "tcp").split(",")[0].trim();
    }

    private static HealthCheck appHealthCheck(JsonNode app, List<PortMapping> ports) {
        List<JsonNode> checks = array(app, "healthChecks");
        if (!checks.isEmpty()) {
            JsonNode hc = checks.get(0);
            String protocol = text(hc, "protocol", "HTTP").toUpperCase(Locale.ROOT);
            Integer port = integer(hc, "port");
            if (port == null) {
                port = portAt(ports, intOr(hc, "portIndex", 0));
            }
            Integer interval = integer(hc, "intervalSeconds");
            Integer timeout = integer(hc, "timeoutSeconds");
            if (protocol.endsWith("HTTP") || protocol.endsWith("HTTPS")) {
                return new HealthCheck(HealthCheck.Type.HTTP, text(hc, "path", "/"), port, List.of(), interval,
                        timeout);
            }
            if (protocol.endsWith("TCP")) {
                return new HealthCheck(HealthCheck.Type.TCP, null, port, List.of(), interval, timeout);
            }
            String value = text(object(hc, "command"), "value");
            return new HealthCheck(HealthCheck.Type.COMMAND, null, null,
                    value == null ? List.of() : List.of("/bin/sh", "-c", value), interval, timeout);
        }
        // Marathon 1.6+ "check": a Mesos check that is reported but does not make instances unhealthy
        JsonNode check = object(app, "check");
        if (check == null) {
            return null;
        }
        Integer interval = integer(check, "intervalSeconds");
        Integer timeout = integer(check, "timeoutSeconds");
        JsonNode http = object(check, "http");
        if (http != null) {
            return new HealthCheck(HealthCheck.Type.HTTP, text(http, "path", "/"),
                    portAt(ports, intOr(http, "portIndex", 0)), List.of(), interval, timeout);
        }
        JsonNode tcp = object(check, "tcp");
        if (tcp != null) {
            return new HealthCheck(HealthCheck.Type.TCP, null, portAt(ports, intOr(tcp, "portIndex", 0)), List.of(),
                    interval, timeout);
        }
        return shellCheck(check, interval, timeout);
    }

    /** A Mesos check's or a pod health check's {@code exec.command.shell} as a COMMAND check. */
    static HealthCheck shellCheck(JsonNode check, Integer interval, Integer timeout) {
        String shell = text(object(object(check, "exec"), "command"), "shell");
        return new HealthCheck(HealthCheck.Type.COMMAND, null, null,
                shell == null ? List.of() : List.of("/bin/sh", "-c", shell), interval, timeout);
    }

    private static Integer portAt(List<PortMapping> ports, int index) {
        return index >= 0 && index < ports.size() ? ports.get(index).containerPort() : null;
    }

    /** {@code ["hostname","LIKE","srv2.*"]} becomes {@code hostname:LIKE:srv2.*}, the DC/OS CLI notation. */
    static List<String> constraints(List<JsonNode> constraints) {
        List<String> out = new ArrayList<>();
        for (JsonNode c : constraints) {
            List<String> parts = new ArrayList<>();
            if (c.isArray()) {
                c.values().forEach(p -> parts.add(p.asString()));
            } else if (c.isObject()) {
                // pods: {"fieldName": "hostname", "operator": "UNIQUE", "value": ...}
                parts.add(text(c, "fieldName", ""));
                parts.add(text(c, "operator", ""));
                String v = text(c, "value");
                if (v != null) {
                    parts.add(v);
                }
            }
            while (!parts.isEmpty() && parts.get(parts.size() - 1).isEmpty()) {
                parts.remove(parts.size() - 1);
            }
            if (!parts.isEmpty()) {
                out.add(String.join(":", parts));
            }
        }
        return out;
    }

    static Instance task(JsonNode task) {
        InstanceState state = MarathonStatusRules.instanceState(MarathonStatusRules.taskState(task));
        String host = text(task, "host");
        List<JsonNode> ports = array(task, "ports");
        String address = host != null && !ports.isEmpty() ? host + ":" + ports.get(0).asInt() : null;
        MarathonStatusRules.InstanceWords words = MarathonStatusRules.task(task);
        return new Instance(text(task, "id"), host, state, instant(task, "startedAt"), address, null, words.message(),
                words.reason());
    }
}
