package io.gantry.marathon;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineException;
import io.gantry.spi.EngineForbiddenException;
import io.gantry.spi.EngineMessages;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.exec.ExecListener;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;
import io.gantry.spi.json.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One command run in a Marathon task as a Mesos nested container, the way {@code mesos task exec} (and DC/OS's
 * {@code dcos task exec}) does it on the agent's operator API: {@code LAUNCH_NESTED_CONTAINER_SESSION} streams the
 * output back (RecordIO of {@code ProcessIO}) for as long as the container runs, and the container lives only as
 * long as that call; a second call, {@code ATTACH_CONTAINER_INPUT}, streams stdin and terminal sizes to it; once
 * the output ends, {@code WAIT_NESTED_CONTAINER} gives the exit status. {@code KILL_NESTED_CONTAINER} ends it early.
 */
final class MesosExecSession implements ExecSession {
    private static final Logger LOG = LoggerFactory.getLogger(MesosExecSession.class);
    static final String API = "/api/v1";
    private static final Map<String, String> STREAMED_ANSWER = Map.of("Content-Type", "application/json",
            "Accept", "application/recordio", "Message-Accept", "application/json");
    private static final Map<String, String> STREAMED_CALL = Map.of("Content-Type", "application/recordio",
            "Message-Content-Type", "application/json", "Accept", "application/json");
    /** Enough of the first output to recognise the launch helper's own failure message. */
    private static final int FIRST_OUTPUT = 512;
    /** What a tty wants instead of an empty DATA message for EOF (operator API docs, ATTACH_CONTAINER_INPUT). */
    private static final byte[] EOT = {4};

    private final MarathonHttp agent;
    private final String where;
    private final ExecRequest request;
    private final ExecListener listener;
    private final Duration callTimeout;
    private final ObjectNode containerId;
    private final StreamedBody input = new StreamedBody();
    private final ByteArrayOutputStream firstOutput = new ByteArrayOutputStream();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Consumer<MesosExecSession> onEnd;
    private final Thread reader;
    private volatile boolean ended;
    private volatile InputStream output;
    private volatile ScheduledFuture<?> heartbeat;
    private volatile CompletableFuture<HttpResponse<String>> attached;

    /**
     * @param parent the task's container id as the master reports it
     * @param where  the instance, for messages
     * @param onEnd  told once the listener heard the end
     */
    MesosExecSession(MarathonHttp agent, JsonNode parent, String where, ExecRequest request, ExecListener listener,
                     Duration callTimeout, Consumer<MesosExecSession> onEnd) {
        this.agent = agent;
        this.where = where;
        this.request = request;
        this.listener = listener;
        this.callTimeout = callTimeout;
        this.onEnd = onEnd;
        this.containerId = MesosCalls.nestedContainerId(parent, UUID.randomUUID().toString());
        this.reader = new Thread(this::readOutput, "marathon-exec-" + containerId.path("value").asString());
        this.reader.setDaemon(true);
    }

    /** Launches the container and attaches its stdin; returns once the agent accepted the launch. */
    void start(ScheduledExecutorService heartbeats, Duration heartbeatEvery) {
        HttpResponse<InputStream> launched = agent.postForStream(API,
                MesosCalls.launchSession(containerId, request).toString(), STREAMED_ANSWER);
        if (launched.statusCode() != 200) {
            throw refused(launched.statusCode(), bounded(launched.body()));
        }
        output = new BufferedInputStream(launched.body());
        // the CLI attaches stdin only once the output streams: before that the agent may not know the container yet
        try {
            attached = agent.postStreaming(API, input, STREAMED_CALL);
            send(MesosCalls.attachInput(containerId));
        } catch (RuntimeException e) {
            // ending the launch call makes the agent destroy the container it started
            closeQuietly(output);
            throw e;
        }
        attached.whenComplete((answer, failure) -> {
            if (!ended && (failure != null || answer.statusCode() != 200)) {
                LOG.warn("Mesos agent dropped the input of exec {} in {}: {}", containerId.path("value").asString(),
                        where, failure != null ? failure.toString() : "HTTP " + answer.statusCode() + " " + answer.body());
            }
        });
        // a proxy in front of the agent (DC/OS' admin router) closes an input stream that stays silent too long
        long every = heartbeatEvery.toMillis();
        heartbeat = heartbeats.scheduleAtFixedRate(() -> beat(heartbeatEvery), every, every, TimeUnit.MILLISECONDS);
        LOG.info("exec {} started in {} (nested container {})", request.command().get(0), where,
                containerId.path("value").asString());
        reader.start();
    }

    @Override
    public void write(byte[] stdin) {
        if (stdin.length > 0) {
            send(MesosCalls.stdin(stdin));
        }
    }

    @Override
    public void closeStdin() {
        send(MesosCalls.stdin(request.tty() ? EOT : new byte[0]));
    }

    @Override
    public void resize(int cols, int rows) {
        if (request.tty() && cols > 0 && rows > 0) {
            send(MesosCalls.resize(cols, rows));
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true) || ended) {
            return;
        }
        try {
            MarathonHttp.Response killed = agent.send("POST", API, MesosCalls.killNested(containerId).toString());
            if (!killed.ok() && killed.status() != 404) {
                LOG.warn("Mesos agent refused to kill exec container {} in {}: HTTP {} {}",
                        containerId.path("value").asString(), where, killed.status(), killed.body());
            }
        } catch (EngineException e) {
            LOG.warn("could not kill exec container {} in {}: {}", containerId.path("value").asString(), where,
                    e.getMessage());
        }
        // the container's life is the launch call's: ending the call makes the agent destroy it, had the kill failed
        closeQuietly(output);
    }

    private void send(JsonNode call) {
        if (!ended) {
            input.send(RecordIo.encode(MesosCalls.bytes(call)), callTimeout);
        }
    }

    private void beat(Duration interval) {
        try {
            send(MesosCalls.heartbeat(interval));
        } catch (EngineException e) {
            LOG.debug("exec heartbeat not sent: {}", e.getMessage());
        }
    }

    private void readOutput() {
        IOException broken = null;
        try {
            RecordIo.Reader records = new RecordIo.Reader(output);
            for (byte[] record = records.next(); record != null; record = records.next()) {
                MesosCalls.Output out = MesosCalls.output(Json.MAPPER.readTree(record));
                if (out != null && out.data().length > 0) {
                    keepFirst(out.data());
                    listener.onOutput(out.data(), out.stderr() && !request.tty());
                }
            }
        } catch (IOException e) {
            broken = e;
        } catch (JacksonException e) {
            broken = new IOException("not a ProcessIO message: " + e.getOriginalMessage(), e);
        }
        if (broken != null && !closed.get()) {
            LOG.debug("output of exec {} in {} broke off: {}", containerId.path("value").asString(), where,
                    broken.toString());
        }
        input.end();
        ScheduledFuture<?> beating = heartbeat;
        if (beating != null) {
            beating.cancel(false);
        }
        closeQuietly(output);
        finish();
    }

    /** Asks how the container ended and tells the listener, once. */
    private void finish() {
        Integer code = null;
        EngineException failure = null;
        try {
            MarathonHttp.Response waited = agent.send("POST", API, MesosCalls.waitNested(containerId).toString());
            if (!waited.ok()) {
                failure = new EngineUnavailableException("Mesos agent answered WAIT_NESTED_CONTAINER for the exec in "
                        + where + " with HTTP " + waited.status() + ": " + EngineMessages.sanitize(waited.body()));
            } else {
                JsonNode answer = MarathonAnswers.parseOrEmpty(waited.body());
                code = MesosCalls.exitCode(answer);
                if (code == null) {
                    failure = new EngineConflictException("Mesos ended the exec in " + where
                            + " without an exit status: " + MesosCalls.endReason(answer));
                }
            }
        } catch (EngineException e) {
            failure = e;
        }
        String launchError = launchError(code);
        if (launchError != null) {
            failure = InvalidSpecException.of("command", launchError + " (in " + where + ")");
        }
        ended = true;
        // the agent answers the input call once its body ended (done above): one still open is dropped, not awaited
        CompletableFuture<HttpResponse<String>> pending = attached;
        if (pending != null && !pending.isDone()) {
            pending.cancel(true);
        }
        onEnd.accept(this);
        if (failure != null) {
            listener.onFailure(failure);
        } else {
            listener.onExit(code);
        }
    }

    /**
     * Mesos' launch helper reports a command it cannot exec on the container's stderr as
     * {@code Failed to execute '<argv0>': <strerror>} and exits 1 ({@code src/slave/containerizer/mesos/launch.cpp}):
     * that line, when this exec ended so; else {@code null}.
     */
    private String launchError(Integer code) {
        if (code == null || code != 1) {
            return null;
        }
        String head = firstOutput.toString(StandardCharsets.UTF_8);
        String expected = "Failed to execute '" + request.command().get(0) + "'";
        if (!head.startsWith(expected)) {
            return null;
        }
        int eol = head.indexOf('\n');
        return (eol < 0 ? head : head.substring(0, eol)).strip();
    }

    private void keepFirst(byte[] data) {
        int room = FIRST_OUTPUT - firstOutput.size();
        if (room > 0) {
            firstOutput.write(data, 0, Math.min(room, data.length));
        }
    }

    private EngineException refused(int status, String body) {
        String said = EngineMessages.sanitize(body);
        String why = "Mesos agent refused to run '" + request.command().get(0) + "' in " + where + ": HTTP " + status
                + (said.isEmpty() ? "" : " " + said);
        if (status == 401 || status == 403) {
            return new EngineForbiddenException(why);
        }
        // 400: the parent container is gone (the task just ended) or the launch was refused; 404: unknown container
        return status == 400 || status == 404 ? new EngineConflictException(why) : new EngineUnavailableException(why);
    }

    private static String bounded(InputStream body) {
        try (InputStream in = body) {
            return new String(in.readNBytes(4096), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // closing only ends the call; nothing is lost
            }
        }
    }
}
