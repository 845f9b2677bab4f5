package io.gantry.marathon;

import static io.gantry.spi.json.Json.array;
import static io.gantry.spi.json.Json.doubleValue;
import static io.gantry.spi.json.Json.instant;
import static io.gantry.spi.json.Json.intOr;
import static io.gantry.spi.json.Json.integer;
import static io.gantry.spi.json.Json.object;
import static io.gantry.spi.json.Json.strings;
import static io.gantry.spi.json.Json.text;

import io.gantry.spi.HealthCheck;
import io.gantry.spi.Instance;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Quantities;
import io.gantry.spi.Resources;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Reads Marathon pods into the model. Pods are SERVICE workloads; the first container gives image, command
 * and environment, every container its ports and resources, the first with one the health check.
 */
final class MarathonPodReader {
    private MarathonPodReader() {
    }

    /**
     * A pod from {@code GET /v2/pods/::status} (a PodStatus with its {@code spec}) or a bare pod definition.
     *
     * @param progress the deployments and launch queue entry that concern it ({@link MarathonProgress#NONE} when
     *                 unknown)
     */
    static Workload pod(JsonNode podStatus, MarathonProgress progress) {
        JsonNode spec = object(podStatus, "spec") != null ? object(podStatus, "spec") : podStatus;
        String id = MarathonIds.normalizeId(text(spec, "id"));
        WorkloadSpec workloadSpec = podSpec(spec);
        List<Instance> instances = array(podStatus, "instances").stream().map(MarathonPodReader::instance).toList();
        return new Workload(id, MarathonIds.namespaceOf(id), MarathonIds.nameOf(id), WorkloadKind.SERVICE,
                MarathonAppReader.plainStrings(object(spec, "labels")), workloadSpec,
                MarathonStatusRules.podStatus(id, podStatus, instances, workloadSpec.replicas(),
                        workloadSpec.healthCheck() != null, progress), instances, null, podStatus.toString());
    }

    /** The model's spec of a pod definition ({@code GET /v2/pods/{id}}, a PodStatus' {@code spec}, a pod version). */
    static WorkloadSpec podSpec(JsonNode spec) {
        List<JsonNode> containers = array(spec, "containers");
        JsonNode first = containers.isEmpty() ? null : containers.get(0);
        Map<String, String> env = new LinkedHashMap<>(MarathonAppReader.plainStrings(object(spec, "environment")));
        env.putAll(MarathonAppReader.plainStrings(object(first, "environment")));
        List<PortMapping> ports = new ArrayList<>();
        long cpu = 0;
        long mem = 0;
        boolean anyCpu = false;
        boolean anyMem = false;
        HealthCheck health = null;
        for (JsonNode c : containers) {
            for (JsonNode e : array(c, "endpoints")) {
                int containerPort = intOr(e, "containerPort", 0);
                int hostPort = intOr(e, "hostPort", 0);
                List<String> protocols = strings(e, "protocol");
                int port = containerPort > 0 ? containerPort : hostPort;
                if (port > 0) {
                    ports.add(new PortMapping(port, hostPort > 0 ? hostPort : null,
                            protocols.isEmpty() ? "tcp" : protocols.get(0)));
                }
            }
            JsonNode res = object(c, "resources");
            if (doubleValue(res, "cpus") != null) {
                cpu += Quantities.coresToMillis(doubleValue(res, "cpus"));
                anyCpu = true;
            }
            if (doubleValue(res, "mem") != null) {
                mem += Quantities.mebibytesToBytes(doubleValue(res, "mem"));
                anyMem = true;
            }
            if (health == null && object(c, "healthCheck") != null) {
                health = healthCheck(c, object(c, "healthCheck"));
            }
        }
        JsonNode exec = object(object(first, "exec"), "command");
        List<String> command = List.of();
        if (text(exec, "shell") != null) {
            command = List.of("/bin/sh", "-c", text(exec, "shell"));
        } else if (exec != null) {
            command = strings(exec, "argv");
        }
        int desired = intOr(object(spec, "scaling"), "instances", 1);
        return new WorkloadSpec(text(object(first, "image"), "id"), command, List.of(), env,
                ports, new Resources(anyCpu ? cpu : null, anyMem ? mem : null), desired, health,
                MarathonAppReader.constraints(array(object(object(spec, "scheduling"), "placement"), "constraints")),
                null);
    }

    private static HealthCheck healthCheck(JsonNode container, JsonNode hc) {
        Integer interval = integer(hc, "intervalSeconds");
        Integer timeout = integer(hc, "timeoutSeconds");
        JsonNode http = object(hc, "http");
        if (http != null) {
            return new HealthCheck(HealthCheck.Type.HTTP, text(http, "path", "/"),
                    endpointPort(container, text(http, "endpoint")), List.of(), interval, timeout);
        }
        JsonNode tcp = object(hc, "tcp");
        if (tcp != null) {
            return new HealthCheck(HealthCheck.Type.TCP, null, endpointPort(container, text(tcp, "endpoint")),
                    List.of(), interval, timeout);
        }
        return MarathonAppReader.shellCheck(hc, interval, timeout);
    }

    private static Integer endpointPort(JsonNode container, String endpointName) {
        for (JsonNode e : array(container, "endpoints")) {
            if (endpointName != null && endpointName.equals(text(e, "name"))) {
                int port = intOr(e, "containerPort", intOr(e, "hostPort", 0));
                return port > 0 ? port : null;
            }
        }
        return null;
    }

    static Instance instance(JsonNode i) {
        String s = text(i, "status", "");
        String host = text(i, "agentHostname");
        Integer port = null;
        for (JsonNode c : array(i, "containers")) {
            for (JsonNode e : array(c, "endpoints")) {
                if (port == null && integer(e, "allocatedHostPort") != null) {
                    port = integer(e, "allocatedHostPort");
                }
            }
        }
        MarathonStatusRules.InstanceWords words = MarathonStatusRules.podInstance(i);
        return new Instance(text(i, "id"), host, MarathonStatusRules.podInstanceState(s), instant(i, "statusSince"),
                host != null && port != null ? host + ":" + port : null, MarathonStatusRules.exitCode(i),
                words.message(), words.reason());
    }
}
