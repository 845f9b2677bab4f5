package io.gantry.swarm;

import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineException;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.exec.ExecListener;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.json.Json;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Exec in a Swarm task's container through the Engine API of the daemon this engine talks to: {@code POST
 * /containers/{id}/exec}, then {@code POST /exec/{id}/start} on a connection dockerd hijacks ({@link DockerHijack})
 * for stdin and output, and {@code GET /exec/{id}/json} for the exit code. Node-local: see {@link SwarmExecTarget}.
 */
final class SwarmExec {
    private static final Logger LOG = LoggerFactory.getLogger(SwarmExec.class);
    /** Every exec carries this variable with a random value: what {@link #kill} looks for. */
    static final String SESSION_ENV = "GANTRY_EXEC_SESSION";
    /** Since this API version exec create and start take the terminal's size; before, only a resize sets it. */
    private static final String CONSOLE_SIZE_SINCE = "1.42";
    private static final Duration POLL = Duration.ofMillis(50);
    /**
     * Docker has no API to kill an exec (moby issue 9098): a second exec finds every process that inherited the
     * session's variable (the command and its children) in {@code /proc/<pid>/environ} and SIGKILLs it. It needs
     * {@code sh}, {@code tr}, {@code grep} and {@code kill} in the image (busybox has them all), {@code /proc}
     * mounted, and the same user's or root's right to signal. Without them the session is only hung up: the
     * connection closes, which ends the command's stdin and, with a tty, leaves a shell to notice its input is gone;
     * a command that reads no input runs on. Exits 0 when it killed something, 1 when it found nothing.
     */
    private static final String KILL_SCRIPT = "m=\"" + SESSION_ENV + "=$1\"; k=1; "
            + "for f in /proc/[0-9]*/environ; do "
            + "if tr '\\0' '\\n' < \"$f\" 2>/dev/null | grep -qxF \"$m\"; then p=${f#/proc/}; kill -9 \"${p%/environ}\" 2>/dev/null && k=0; fi; "
            + "done; exit $k";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String engineName;
    private final DockerApi api;
    private final SwarmEndpoint endpoint;
    private final Supplier<Map<String, SwarmServiceReader.NodeRef>> nodes;
    private final Set<AutoCloseable> open;

    /**
     * @param nodes node names, for the refusal of a task on another node
     * @param open  the engine's open streams: a session is in it until it ends, so closing the engine closes it
     */
    SwarmExec(String engineName, DockerApi api, SwarmEndpoint endpoint, Supplier<Map<String, SwarmServiceReader.NodeRef>> nodes,
              Set<AutoCloseable> open) {
        this.engineName = engineName;
        this.api = api;
        this.endpoint = endpoint;
        this.nodes = nodes;
        this.open = open;
    }

    /** {@link io.gantry.spi.EngineClient#exec} for the task {@code instanceId} of the service {@code serviceId}. */
    SwarmExecSession start(String serviceId, String instanceId, ExecRequest request, ExecListener listener) {
        SwarmExecTarget target = target(serviceId, instanceId);
        String marker = HexFormat.of().formatHex(randomBytes());
        boolean consoleSize = request.tty() && api.speaksAtLeast(CONSOLE_SIZE_SINCE);
        ObjectNode create = Json.MAPPER.createObjectNode()
                .put("AttachStdin", true)
                .put("AttachStdout", true)
                .put("AttachStderr", true)
                .put("Tty", request.tty());
        ArrayNode cmd = create.putArray("Cmd");
        request.command().forEach(cmd::add);
        create.putArray("Env").add(SESSION_ENV + "=" + marker);
        if (consoleSize) {
            create.putArray("ConsoleSize").add(request.rows()).add(request.cols());
        }
        String execId = Json.text(api.post("/containers/" + DockerApi.encode(target.containerId()) + "/exec", create,
                target.taskId()), "Id");
        ObjectNode start = Json.MAPPER.createObjectNode().put("Detach", false).put("Tty", request.tty());
        if (consoleSize) {
            start.putArray("ConsoleSize").add(request.rows()).add(request.cols());
        }
        DockerHijack hijack = hijack(execId, start, target.taskId());
        SwarmExecSession session = new SwarmExecSession(this, target, execId, marker, request, hijack, listener,
                api.callTimeout(), open::remove);
        open.add(session);
        if (request.tty() && !consoleSize) {
            // before API 1.42 a new exec's terminal is 80x24 (or 0x0) until resized; dockerd holds a resize until
            // the exec has started, so this lands before the command can read its size in any way that matters
            resize(execId, request.cols(), request.rows());
        }
        session.startReading();
        LOG.debug("Swarm engine {}: exec {} in task {} started", engineName, execId, target.taskId());
        return session;
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private SwarmExecTarget target(String serviceId, String instanceId) {
        if (instanceId == null || instanceId.isBlank()) {
            throw new WorkloadNotFoundException(String.valueOf(instanceId));
        }
        // GET /tasks/{id} also matches id prefixes: only the exact id counts
        JsonNode task = api.getWorkloadObject("/tasks/" + DockerApi.encode(instanceId), instanceId);
        if (!instanceId.equals(Json.text(task, "ID"))) {
            throw new WorkloadNotFoundException(instanceId);
        }
        String localNodeId = Json.text(api.get("/info").path("Swarm"), "NodeID", "");
        return SwarmExecTarget.of(task, serviceId, localNodeId, nodes.get());
    }

    private DockerHijack hijack(String execId, JsonNode startBody, String taskId) {
        DockerHijack hijack;
        try {
            hijack = DockerHijack.post(endpoint, api.versioned("/exec/" + DockerApi.encode(execId) + "/start"),
                    Json.MAPPER.writeValueAsBytes(startBody), api.callTimeout());
        } catch (SocketTimeoutException e) {
            throw api.unavailable("did not start the exec within " + api.callTimeout().toMillis() + " ms", e);
        } catch (IOException e) {
            throw api.unavailable("is unreachable for exec: " + e.getMessage(), e);
        }
        if (!hijack.upgraded()) {
            int status = hijack.status();
            throw api.failure(new DockerApi.Reply(status, hijack.errorBody(api.callTimeout()), null), taskId);
        }
        return hijack;
    }

    /** Sets the terminal's size; a failure only leaves the old size, so it is logged, not thrown. */
    void resize(String execId, int cols, int rows) {
        try {
            api.post("/exec/" + DockerApi.encode(execId) + "/resize?h=" + rows + "&w=" + cols, null, execId);
        } catch (WorkloadNotFoundException | EngineConflictException e) {
            // the exec ended already (dockerd forgets one that could not start at once)
            LOG.debug("Swarm engine {}: exec {} ended before its resize: {}", engineName, execId, e.getMessage());
        } catch (EngineException e) {
            LOG.warn("Swarm engine {}: resizing exec {} to {}x{} failed: {}", engineName, execId, cols, rows, e.getMessage());
        }
    }

    /** What dockerd knows of an exec: whether it runs, its exit code, and its pid (0 when it never started). */
    record State(boolean running, Integer exitCode, long pid) {
    }

    /** Polls {@code GET /exec/{id}/json} until the exec is not running or {@code within} passed; at least once. */
    State awaitEnd(String execId, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            JsonNode json = api.get("/exec/" + DockerApi.encode(execId) + "/json");
            State state = new State(json.path("Running").asBoolean(false), Json.integer(json, "ExitCode"),
                    json.path("Pid").asLong(0));
            if (!state.running() || System.nanoTime() - deadline >= 0) {
                return state;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return state;
            }
        }
    }

    /**
     * Kills every process of the session marked {@code marker} in {@code target}'s container (see {@link #KILL_SCRIPT}),
     * within the call timeout for each step.
     *
     * @return whether it killed something
     * @throws EngineException when dockerd refuses or does not answer
     */
    boolean kill(SwarmExecTarget target, String marker) {
        ObjectNode create = Json.MAPPER.createObjectNode();
        create.putArray("Cmd").add("sh").add("-c").add(KILL_SCRIPT).add("sh").add(marker);
        String killer = Json.text(api.post("/containers/" + DockerApi.encode(target.containerId()) + "/exec", create,
                target.taskId()), "Id");
        api.post("/exec/" + DockerApi.encode(killer) + "/start", Json.MAPPER.createObjectNode().put("Detach", true), null);
        State state = awaitEnd(killer, api.callTimeout());
        return !state.running() && Integer.valueOf(0).equals(state.exitCode());
    }

    String engineName() {
        return engineName;
    }
}
