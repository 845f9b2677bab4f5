package io.gantry.marathon;

import static io.gantry.spi.json.Json.bool;
import static io.gantry.spi.json.Json.doubleValue;
import static io.gantry.spi.json.Json.object;
import static io.gantry.spi.json.Json.present;
import static io.gantry.spi.json.Json.stringMap;
import static io.gantry.spi.json.Json.text;

import io.gantry.spi.EngineInfo;
import io.gantry.spi.Node;
import io.gantry.spi.Quantities;
import tools.jackson.databind.JsonNode;

/** Reads what Marathon says of itself ({@code GET /v2/info}) and what Mesos says of its agents. */
final class MarathonClusterReader {
    private MarathonClusterReader() {
    }

    static EngineInfo info(JsonNode info) {
        String version = text(info, "version", "unknown");
        String leader = leader(info);
        String framework = text(info, "frameworkId");
        String description = text(info, "name", "marathon") + " " + version + ", leader " + leader
                + (framework == null ? "" : ", framework " + framework);
        if (leader == null || leader.isBlank()) {
            return EngineInfo.degraded(version, "no Marathon leader is elected");
        }
        return new EngineInfo(version, false, description);
    }

    static String leader(JsonNode info) {
        return text(info, "leader");
    }

    /** An agent of the Mesos master's {@code /master/slaves}. */
    static Node node(JsonNode slave) {
        String pid = text(slave, "pid");
        String address = text(slave, "hostname");
        if (pid != null && pid.contains("@")) {
            String hostPort = pid.substring(pid.indexOf('@') + 1);
            address = hostPort.contains(":") ? hostPort.substring(0, hostPort.lastIndexOf(':')) : hostPort;
        }
        JsonNode resources = object(slave, "resources");
        Double cpus = doubleValue(resources, "cpus");
        Double mem = doubleValue(resources, "mem");
        boolean active = !present(slave.get("active")) || bool(slave, "active");
        return new Node(text(slave, "hostname", text(slave, "id")), address, active ? "READY" : "DOWN", "agent",
                cpus == null ? null : Quantities.coresToMillis(cpus),
                mem == null ? null : Quantities.mebibytesToBytes(mem), stringMap(object(slave, "attributes")));
    }
}
