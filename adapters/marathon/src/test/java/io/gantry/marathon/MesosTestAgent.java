package io.gantry.marathon;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import com.sun.net.httpserver.HttpExchange;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The nested-container part of a Mesos agent's operator API v1 ({@code POST /api/v1}) for
 * {@link MarathonTestServer}, following {@code docs/operator-http-api.md} and the agent's {@code src/slave/http.cpp}
 * (fixtures in {@code testdata/fixtures/marathon/mesos}): {@code LAUNCH_NESTED_CONTAINER_SESSION} (only with
 * {@code Accept: application/recordio}; the answer streams RecordIO {@code ProcessIO} records and ends when the
 * container's output does; a broken connection destroys the container), {@code ATTACH_CONTAINER_INPUT} (only as a
 * RecordIO request with {@code Message-Content-Type}; a CONTAINER_ID record first, then stdin DATA, an empty one
 * being EOF without a tty, and CONTROL records: TTY_INFO sets the pty's size, HEARTBEAT is ignored; one input
 * attached per container), {@code WAIT_NESTED_CONTAINER} (the wait(2) status) and {@code KILL_NESTED_CONTAINER}
 * (SIGKILL to the whole container). Nested containers are real local processes, on a pty with a tty.
 */
final class MesosTestAgent {
    private static final long WAIT_SECONDS = 60;

    /** A launched nested container. */
    private record Nested(String parent, NestedChild child, AtomicBoolean inputAttached) {
    }

    private final Predicate<String> runningContainer;
    private final Path sandbox;
    private final Map<String, Nested> containers = new ConcurrentHashMap<>();
    private final AtomicInteger heartbeats = new AtomicInteger();
    private final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());

    /** @param runningContainer whether a container id is that of a running task (a valid parent) */
    MesosTestAgent(Predicate<String> runningContainer) {
        this.runningContainer = runningContainer;
        try {
            this.sandbox = Files.createTempDirectory("mesos-test-sandbox");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Nested containers whose process still runs. */
    long running() {
        return containers.values().stream().map(n -> n.child().process()).filter(p -> p != null && p.isAlive())
                .count();
    }

    /** Input heartbeats received. */
    int heartbeats() {
        return heartbeats.get();
    }

    /** Call types received, oldest first. */
    List<String> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    void close() {
        containers.values().forEach(n -> n.child().kill());
    }

    void handle(HttpExchange ex) throws IOException {
        try {
            if (!ex.getRequestMethod().equals("POST")) {
                reply(ex, 405, "");
                return;
            }
            String contentType = String.valueOf(ex.getRequestHeaders().getFirst("Content-Type"));
            if (contentType.equals("application/recordio")) {
                attachInput(ex);
                return;
            }
            if (!contentType.startsWith("application/json")) {
                reply(ex, 415, "Expecting 'Content-Type' of application/json or application/x-protobuf or "
                        + "application/recordio");
                return;
            }
            if (ex.getRequestHeaders().containsKey("Message-Content-Type")) {
                reply(ex, 415, "Expecting 'Message-Content-Type' to be not set for non-streaming requests");
                return;
            }
            JsonNode call;
            try (InputStream in = ex.getRequestBody()) {
                call = MarathonTestServer.JSON.readTree(in.readAllBytes());
            }
            String type = call.path("type").asString();
            calls.add(type);
            switch (type) {
                case "LAUNCH_NESTED_CONTAINER_SESSION" -> launchSession(ex, call.path("launch_nested_container_session"));
                case "WAIT_NESTED_CONTAINER" -> waitNested(ex, call.path("wait_nested_container").path("container_id"));
                case "KILL_NESTED_CONTAINER" -> killNested(ex, call.path("kill_nested_container").path("container_id"));
                default -> reply(ex, 400, "Failed to validate agent::Call: call " + type + " is not emulated");
            }
        } catch (RuntimeException e) {
            reply(ex, 500, String.valueOf(e));
        }
    }

    private void launchSession(HttpExchange ex, JsonNode launch) throws IOException {
        String accept = String.valueOf(ex.getRequestHeaders().getFirst("Accept"));
        if (!accept.contains("application/recordio")) {
            // an agent answers a JSON Accept with one JSON body, which a session cannot be
            reply(ex, 406, "LAUNCH_NESTED_CONTAINER_SESSION needs 'Accept: application/recordio' here");
            return;
        }
        String messageAccept = ex.getRequestHeaders().getFirst("Message-Accept");
        if (messageAccept != null && !messageAccept.contains("application/json")) {
            reply(ex, 406, "Expecting 'Message-Accept' to allow application/json or application/x-protobuf");
            return;
        }
        JsonNode id = launch.path("container_id");
        String value = id.path("value").asString(null);
        String parent = id.path("parent").path("value").asString(null);
        if (value == null || parent == null || !runningContainer.test(parent)) {
            reply(ex, 400, "Parent container " + parent + " does not exist");
            return;
        }
        JsonNode command = launch.path("command");
        List<String> argv = new ArrayList<>();
        if (command.path("shell").asBoolean(true)) {
            argv.addAll(List.of("sh", "-c", command.path("value").asString()));
        } else {
            command.path("arguments").forEach(a -> argv.add(a.asString()));
            if (argv.isEmpty()) {
                argv.add(command.path("value").asString());
            }
        }
        JsonNode tty = launch.path("container").path("tty_info");
        JsonNode size = tty.path("window_size");
        NestedChild child = NestedChild.start(argv, !tty.isMissingNode(), size.path("columns").asInt(80),
                size.path("rows").asInt(24), sandbox);
        if (containers.putIfAbsent(value, new Nested(parent, child, new AtomicBoolean())) != null) {
            child.kill();
            reply(ex, 400, "Container " + value + " already exists");
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "application/recordio");
        ex.getResponseHeaders().set("Message-Content-Type", "application/json");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        Thread stderr = null;
        if (child.stderr() != null) {
            stderr = new Thread(() -> pump(child.stderr(), "STDERR", out, child), "mesos-test-agent-stderr");
            stderr.setDaemon(true);
            stderr.start();
        }
        pump(child.stdout(), "STDOUT", out, child);
        if (stderr != null) {
            try {
                stderr.join(WAIT_SECONDS * 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // the switchboard ends the session once both output streams are drained
        ex.close();
    }

    /** Copies one output stream into the session as DATA records; a connection gone destroys the container. */
    private static void pump(InputStream from, String stream, OutputStream to, NestedChild child) {
        byte[] buffer = new byte[4096];
        while (true) {
            int n;
            try {
                n = from.read(buffer);
            } catch (IOException e) {
                // a pty's master reads EIO once the child side closed: the end of its output
                return;
            }
            if (n < 0) {
                return;
            }
            ObjectNode record = MarathonTestServer.JSON.createObjectNode().put("type", "DATA");
            record.putObject("data").put("type", stream)
                    .put("data", Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer, n)));
            byte[] json = record.toString().getBytes(StandardCharsets.UTF_8);
            try {
                synchronized (to) {
                    to.write((json.length + "\n").getBytes(StandardCharsets.US_ASCII));
                    to.write(json);
                    to.flush();
                }
            } catch (IOException e) {
                // the container lives as long as the session's connection (operator API docs)
                child.kill();
                return;
            }
        }
    }

    private void attachInput(HttpExchange ex) throws IOException {
        String messageType = ex.getRequestHeaders().getFirst("Message-Content-Type");
        if (messageType == null) {
            reply(ex, 400, "Expecting 'Message-Content-Type' to be set for streaming requests");
            return;
        }
        if (!messageType.equals("application/json")) {
            reply(ex, 415, "Expecting 'Message-Content-Type' of application/json or application/x-protobuf");
            return;
        }
        calls.add("ATTACH_CONTAINER_INPUT");
        try (InputStream body = ex.getRequestBody()) {
            RecordIo.Reader records = new RecordIo.Reader(body);
            byte[] first = records.next();
            if (first == null) {
                reply(ex, 400, "IOSwitchboard received EOF while reading request body");
                return;
            }
            JsonNode attach = MarathonTestServer.JSON.readTree(first).path("attach_container_input");
            if (!attach.path("type").asString().equals("CONTAINER_ID")) {
                reply(ex, 400, "Expecting 'attach_container_input.type' to be CONTAINER_ID");
                return;
            }
            Nested nested = containers.get(attach.path("container_id").path("value").asString());
            if (nested == null) {
                reply(ex, 404, "Container " + attach.path("container_id") + " cannot be found");
                return;
            }
            if (!nested.inputAttached().compareAndSet(false, true)) {
                reply(ex, 500, "Multiple input connections are not allowed");
                return;
            }
            feed(records, nested.child());
        }
        reply(ex, 200, "");
    }

    /** Stdin and controls until the client ends its request. */
    private void feed(RecordIo.Reader records, NestedChild child) throws IOException {
        OutputStream stdin = child.stdin();
        boolean stdinOpen = true;
        for (byte[] record = records.next(); record != null; record = records.next()) {
            JsonNode io = MarathonTestServer.JSON.readTree(record).path("attach_container_input").path("process_io");
            if (io.path("type").asString().equals("CONTROL")) {
                JsonNode control = io.path("control");
                if (control.path("type").asString().equals("TTY_INFO")) {
                    JsonNode size = control.path("tty_info").path("window_size");
                    child.resize(size.path("columns").asInt(), size.path("rows").asInt());
                } else {
                    heartbeats.incrementAndGet();
                }
                continue;
            }
            byte[] data = Base64.getDecoder().decode(io.path("data").path("data").asString(""));
            if (!stdinOpen) {
                continue;
            }
            try {
                if (data.length == 0 && !child.tty()) {
                    stdin.close();
                    stdinOpen = false;
                } else {
                    stdin.write(data);
                    stdin.flush();
                }
            } catch (IOException e) {
                // the container ended: what it did not read is dropped, as the switchboard does
                stdinOpen = false;
            }
        }
    }

    private void waitNested(HttpExchange ex, JsonNode containerId) throws IOException {
        Nested nested = containers.get(containerId.path("value").asString());
        if (nested == null) {
            reply(ex, 404, "Container '" + containerId.path("value").asString() + "' cannot be found");
            return;
        }
        try {
            int status = nested.child().waitStatus(WAIT_SECONDS);
            ObjectNode answer = MarathonTestServer.JSON.createObjectNode().put("type", "WAIT_NESTED_CONTAINER");
            answer.putObject("wait_nested_container").put("exit_status", status);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            reply(ex, 200, answer.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply(ex, 500, "interrupted");
        }
    }

    private void killNested(HttpExchange ex, JsonNode containerId) throws IOException {
        Nested nested = containers.get(containerId.path("value").asString());
        if (nested == null) {
            reply(ex, 404, "Container '" + containerId.path("value").asString() + "' cannot be found");
            return;
        }
        nested.child().kill();
        reply(ex, 200, "");
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
        ex.close();
    }
}
