package io.gantry.marathon;

import static io.gantry.spi.json.Json.array;
import static io.gantry.spi.json.Json.text;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.gantry.spi.EngineUnavailableException;
import tools.jackson.databind.JsonNode;

/**
 * Task output from the Mesos sandbox. The master's {@code /master/slaves} names each agent's
 * {@code pid} ({@code slave(1)@10.0.0.5:5051}); the agent's {@code /files/read} serves the virtual path
 * {@code /frameworks/<framework>/executors/<executor>/runs/latest/<stdout|stderr>} (Mesos "files"
 * endpoint, agent side). Marathon's command and Docker tasks run under an executor whose id is the task id.
 */
final class MesosSandbox {
    /** How far back a tail reads, so a huge stdout is never fetched whole. */
    static final int TAIL_WINDOW_BYTES = 256 * 1024;

    /** A chunk of a sandbox file and where the file ends. */
    record Chunk(String data, long end) {
    }

    private final MarathonSettings settings;
    private final MarathonHttp master;
    private final Map<String, MarathonHttp> agents = new ConcurrentHashMap<>();
    private final Map<String, MarathonHttp> byAgentId = new ConcurrentHashMap<>();

    MesosSandbox(MarathonSettings settings, MarathonHttp master) {
        this.settings = settings;
        this.master = master;
    }

    /** The agent's HTTP endpoint for a Mesos agent id; the master is asked again for an agent not seen yet. */
    MarathonHttp agent(String agentId) {
        MarathonHttp known = byAgentId.get(String.valueOf(agentId));
        return known != null ? known : lookUp(agentId);
    }

    private MarathonHttp lookUp(String agentId) {
        JsonNode slaves = MarathonAnswers.expectOk(master.get("/master/slaves"), "Mesos agents", null);
        for (JsonNode s : array(slaves, "slaves")) {
            if (agentId != null && agentId.equals(text(s, "id"))) {
                String pid = text(s, "pid");
                String hostPort = pid != null && pid.contains("@") ? pid.substring(pid.indexOf('@') + 1)
                        : text(s, "hostname") + ":5051";
                String base = settings.mesosUrl().getScheme() + "://" + hostPort;
                MarathonHttp agent = agents.computeIfAbsent(base, b -> new MarathonHttp(settings, "Mesos agent",
                        List.of(URI.create(b))));
                byAgentId.put(agentId, agent);
                return agent;
            }
        }
        throw new EngineUnavailableException("Mesos master does not know agent " + agentId);
    }

    static String path(String frameworkId, String executorId, String stream) {
        return "/frameworks/" + frameworkId + "/executors/" + executorId + "/runs/latest/" + stream;
    }

    /** Size of a sandbox file: {@code offset=-1} answers with the length and no data. */
    long size(MarathonHttp agent, String path) {
        JsonNode r = MarathonAnswers.expectOk(agent.get("/files/read?path=" + enc(path) + "&offset=-1"),
                "sandbox file size", null);
        return r.path("offset").asLong(0);
    }

    Chunk read(MarathonHttp agent, String path, long offset, long length) {
        JsonNode r = MarathonAnswers.expectOk(agent.get("/files/read?path=" + enc(path) + "&offset=" + offset
                + "&length=" + length), "sandbox file", null);
        String data = text(r, "data");
        long start = r.path("offset").asLong(offset);
        String text = data == null ? "" : data;
        return new Chunk(text, start + text.getBytes(StandardCharsets.UTF_8).length);
    }

    /** The last {@code lines} complete lines of a file. */
    List<String> tail(MarathonHttp agent, String path, int lines) {
        long size = size(agent, path);
        long start = Math.max(0, size - TAIL_WINDOW_BYTES);
        Chunk chunk = read(agent, path, start, size - start);
        List<String> all = splitLines(chunk.data(), start > 0);
        return all.subList(Math.max(0, all.size() - lines), all.size());
    }

    /** Lines of a chunk; a first line cut by the read window is dropped, a trailing partial one kept. */
    static List<String> splitLines(String data, boolean dropFirst) {
        List<String> out = new ArrayList<>(List.of(data.split("\r?\n", -1)));
        if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        if (dropFirst && !out.isEmpty()) {
            out.remove(0);
        }
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
