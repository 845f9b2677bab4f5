package io.gantry.marathon;

import static io.gantry.spi.json.Json.text;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineException;
import io.gantry.spi.LogLine;
import io.gantry.spi.LogSink;
import io.gantry.spi.Subscription;
import io.gantry.spi.WorkloadNotFoundException;
import tools.jackson.databind.JsonNode;

/**
 * Follows an app's output by polling each task's sandbox files: Mesos serves them by offset and has no
 * push. New tasks (after a restart or scale) join at their start; a vanished app ends the follow.
 */
final class SandboxFollower implements Subscription {
    private static final long POLL_MILLIS = 1000;
    private static final int MAX_FAILURES = 5;

    private final MarathonEngineClient client;
    private final MesosSandbox sandbox;
    private final String appId;
    private final int tail;
    private final LogSink sink;
    private final Map<String, Long> offsets = new HashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    SandboxFollower(MarathonEngineClient client, MesosSandbox sandbox, String appId, int tail, LogSink sink) {
        this.client = client;
        this.sandbox = sandbox;
        this.appId = appId;
        this.tail = tail;
        this.sink = sink;
        this.thread = new Thread(this::run, "marathon-logs-" + appId);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        int failures = 0;
        boolean first = true;
        Throwable end = null;
        while (!closed) {
            try (CallBudget ignored = CallBudget.start(client.callTimeout())) {
                poll(first);
                first = false;
                failures = 0;
            } catch (WorkloadNotFoundException e) {
                break;
            } catch (EngineException e) {
                if (++failures >= MAX_FAILURES) {
                    end = e;
                    break;
                }
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                break;
            }
        }
        client.forget(this);
        sink.onEnd(closed ? null : end);
    }

    private void poll(boolean first) {
        for (JsonNode task : client.tasks(appId, Capability.LOGS)) {
            String taskId = text(task, "id");
            MarathonHttp agent = sandbox.agent(text(task, "slaveId"));
            for (String stream : List.of("stdout", "stderr")) {
                String path = MesosSandbox.path(client.frameworkId(), taskId, stream);
                String key = taskId + "/" + stream;
                Long offset = offsets.get(key);
                if (offset == null) {
                    long size = sandbox.size(agent, path);
                    if (first) {
                        sandbox.tail(agent, path, tail).forEach(l -> emit(taskId, stream, l));
                        offsets.put(key, size);
                        continue;
                    }
                    offset = 0L;
                }
                long size = sandbox.size(agent, path);
                if (size <= offset) {
                    continue;
                }
                MesosSandbox.Chunk chunk = sandbox.read(agent, path, offset, size - offset);
                String data = chunk.data();
                int lastNewline = data.lastIndexOf('\n');
                if (lastNewline < 0) {
                    continue;
                }
                // only complete lines: the rest is read again once its newline arrives
                MesosSandbox.splitLines(data.substring(0, lastNewline + 1), false)
                        .forEach(l -> emit(taskId, stream, l));
                offsets.put(key, offset + data.substring(0, lastNewline + 1)
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
            }
        }
    }

    private void emit(String taskId, String stream, String line) {
        if (!closed) {
            sink.onLine(new LogLine(null, taskId, stream, line));
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
