package io.gantry.marathon;

import static io.gantry.spi.json.Json.array;
import static io.gantry.spi.json.Json.text;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.gantry.spi.EngineConflictException;
import io.gantry.spi.exec.ExecListener;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;
import tools.jackson.databind.JsonNode;

/**
 * Starts exec sessions in Marathon app tasks through Mesos, and ends those still open when the client closes.
 * Marathon knows a task's agent but not its container: the master's {@code /master/tasks?framework_id=&task_id=}
 * (Mesos master endpoint help, "tasks") gives the task's state and, in its status updates'
 * {@code container_status.container_id}, the container the executor runs it in: the exec joins it as a nested
 * container (the Mesos CLI's {@code task exec} finds it the same way). Nested containers need the Mesos (UCR)
 * containerizer; an agent running the task under the Docker containerizer refuses the launch, and its answer is
 * passed on.
 */
final class MesosExecs {
    private final MarathonSettings settings;
    private final MarathonHttp master;
    private final MesosSandbox agents;
    private final Set<MesosExecSession> open = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService heartbeats;
    private volatile Duration heartbeatEvery = MesosCalls.HEARTBEAT;
    private boolean closed;

    MesosExecs(MarathonSettings settings, MarathonHttp master, MesosSandbox agents) {
        this.settings = settings;
        this.master = master;
        this.agents = agents;
    }

    /**
     * @param task the Marathon task (of {@code GET /v2/apps/{id}/tasks}) to run in
     * @throws EngineConflictException when Mesos does not run that task now
     */
    ExecSession start(String appId, JsonNode task, String frameworkId, ExecRequest request, ExecListener listener) {
        String taskId = text(task, "id");
        String where = "task " + taskId + " of " + appId;
        JsonNode mesosTask = mesosTask(frameworkId, taskId);
        if (mesosTask == null) {
            throw new EngineConflictException(where + " is not known to the Mesos master yet: it has not been "
                    + "launched, so nothing runs to exec in");
        }
        String state = text(mesosTask, "state");
        if (!"TASK_RUNNING".equals(state)) {
            throw new EngineConflictException(where + " is " + state + ", not running: nothing runs to exec in");
        }
        JsonNode container = containerId(mesosTask);
        if (container == null) {
            throw new EngineConflictException("Mesos reports no container for " + where + " yet; try again once it "
                    + "has started");
        }
        MesosExecSession session = new MesosExecSession(agents.agent(text(mesosTask, "slave_id")), container, where,
                request, listener, settings.callTimeout(), open::remove);
        open.add(session);
        try {
            session.start(heartbeats(), heartbeatEvery);
        } catch (RuntimeException e) {
            open.remove(session);
            throw e;
        }
        return session;
    }

    /** How often sessions send input heartbeats; shortened by tests. */
    void heartbeatEvery(Duration every) {
        this.heartbeatEvery = every;
    }

    private JsonNode mesosTask(String frameworkId, String taskId) {
        JsonNode answer = MarathonAnswers.expectOk(master.get("/master/tasks?framework_id=" + enc(frameworkId)
                + "&task_id=" + enc(taskId)), "Mesos tasks", null);
        for (JsonNode t : array(answer, "tasks")) {
            if (taskId.equals(text(t, "id"))) {
                return t;
            }
        }
        return null;
    }

    /** The newest status update's container id (all carry the same once it is set, says the Mesos CLI). */
    static JsonNode containerId(JsonNode mesosTask) {
        List<JsonNode> statuses = array(mesosTask, "statuses");
        for (int i = statuses.size() - 1; i >= 0; i--) {
            JsonNode id = statuses.get(i).path("container_status").path("container_id");
            if (text(id, "value") != null) {
                return id;
            }
        }
        return null;
    }

    private synchronized ScheduledExecutorService heartbeats() {
        if (closed) {
            throw new IllegalStateException("the Marathon engine client is closed");
        }
        if (heartbeats == null) {
            heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "marathon-exec-heartbeats-" + settings.engineName());
                t.setDaemon(true);
                return t;
            });
        }
        return heartbeats;
    }

    /** Ends every open session (their listeners still hear the end) and stops the heartbeats. */
    void close() {
        synchronized (this) {
            closed = true;
        }
        new ArrayList<>(open).forEach(MesosExecSession::close);
        synchronized (this) {
            if (heartbeats != null) {
                heartbeats.shutdownNow();
            }
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(String.valueOf(s), StandardCharsets.UTF_8);
    }
}
