package io.gantry.swarm;

import io.gantry.spi.json.Json;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineException;
import io.gantry.spi.EngineForbiddenException;
import io.gantry.spi.EngineMessages;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.WorkloadNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The Docker Engine API as raw JSON trees, over {@link DockerHttp}. Every call, including waiting for the
 * headers of a stream, is bounded by the engine's call timeout; failures leave as the port's typed exceptions.
 */
final class DockerApi implements AutoCloseable {
    /**
     * The newest API version whose payloads this adapter reads. The fields used here are unchanged from
     * 1.41 (Docker 20.10) to 1.45; a daemon answering an older maximum is spoken to at its own version.
     */
    static final String NEWEST_API_VERSION = "1.45";

    private final String engineName;
    private final Duration callTimeout;
    private final DockerHttp http;
    private volatile String apiVersion;

    DockerApi(String engineName, SwarmEndpoint endpoint, Duration callTimeout) {
        this.engineName = engineName;
        this.callTimeout = callTimeout;
        this.http = new DockerHttp(endpoint, callTimeout);
    }

    /** What {@code GET /_ping} told: the daemon's newest API version, as its {@code Api-Version} header says. */
    String ping() {
        Reply reply = exchange("GET", "/_ping", null);
        if (reply.status() != 200) {
            throw failure(reply, null);
        }
        String version = reply.apiVersion() == null ? "1.41" : reply.apiVersion();
        apiVersion = older(version, NEWEST_API_VERSION);
        return version;
    }

    JsonNode get(String path) {
        return json("GET", path, null, null);
    }

    /** GET of one object; a 404 becomes {@link WorkloadNotFoundException} for {@code nativeId}. */
    JsonNode getWorkloadObject(String path, String nativeId) {
        return json("GET", path, null, nativeId);
    }

    JsonNode post(String path, JsonNode body, String nativeId) {
        return json("POST", path, body, nativeId);
    }

    /** A GET whose body is not JSON (logs). */
    byte[] getBytes(String path, String nativeId) {
        Reply reply = exchange("GET", versioned(path), null);
        if (reply.status() != 200) {
            throw failure(reply, nativeId);
        }
        return reply.body();
    }

    void delete(String path, String nativeId) {
        json("DELETE", path, null, nativeId);
    }

    /**
     * Opens a long-lived response ({@code /events}, {@code logs?follow=1}). The caller reads it on its own
     * thread and closes it to stop; only connecting and the response headers are bounded by the call timeout.
     */
    Stream openStream(String path, String nativeId) {
        DockerHttp.Exchange exchange = send("GET", versioned(path), null);
        if (exchange.status() != 200) {
            Reply reply;
            try (exchange) {
                reply = new Reply(exchange.status(), readBody(exchange), null);
            }
            throw failure(reply, nativeId);
        }
        exchange.keepOpen();
        return new Stream(exchange);
    }

    /** Reads a streamed answer as it arrives. */
    interface StreamReader {
        void read(InputStream body, DockerIdleDeadline deadline) throws IOException;
    }

    /**
     * A GET whose answer is read as it arrives by {@code reader}: the call timeout bounds the response headers and
     * then each silence ({@link DockerIdleDeadline}), not the whole answer, so a big answer that keeps coming is read
     * to its end and a daemon that stops sending fails as unavailable. Exceptions of {@code reader} other than
     * I/O and parse failures leave as they are.
     */
    void readStreaming(String path, StreamReader reader) {
        Stream stream = openStream(path, null);
        try (stream; DockerIdleDeadline deadline = new DockerIdleDeadline(callTimeout, stream::close)) {
            try {
                reader.read(deadline.watch(stream.body()), deadline);
            } catch (IOException | JacksonException e) {
                if (deadline.expired()) {
                    throw unavailable("sent nothing for " + callTimeout.toMillis() + " ms while answering " + path, e);
                }
                throw unavailable("broke off its answer to " + path + ": " + describe(e), e);
            }
        }
    }

    /** A streaming response; closing it aborts a blocked read. */
    static final class Stream implements AutoCloseable {
        private final DockerHttp.Exchange exchange;

        private Stream(DockerHttp.Exchange exchange) {
            this.exchange = exchange;
        }

        InputStream body() throws IOException {
            return exchange.body();
        }

        boolean isClosed() {
            return exchange.isClosed();
        }

        @Override
        public void close() {
            exchange.close();
        }
    }

    static String query(String name, JsonNode filters) {
        return name + "=" + URLEncoder.encode(filters.toString(), StandardCharsets.UTF_8);
    }

    static String encode(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    EngineUnavailableException unavailable(String what, Throwable cause) {
        return new EngineUnavailableException("Docker engine '" + engineName + "' " + what, cause);
    }

    private JsonNode json(String method, String path, JsonNode body, String nativeId) {
        Reply reply = exchange(method, versioned(path), body == null ? null : Json.MAPPER.writeValueAsBytes(body));
        if (reply.status() / 100 != 2) {
            throw failure(reply, nativeId);
        }
        if (reply.body().length == 0) {
            return Json.MAPPER.missingNode();
        }
        try {
            return Json.MAPPER.readTree(reply.body());
        } catch (JacksonException e) {
            throw unavailable("answered " + path + " with a body that is not JSON", e);
        }
    }

    private Reply exchange(String method, String path, byte[] body) {
        try (DockerHttp.Exchange exchange = send(method, path, body)) {
            return new Reply(exchange.status(), readBody(exchange), exchange.header("Api-Version"));
        }
    }

    private DockerHttp.Exchange send(String method, String path, byte[] body) {
        try {
            return http.send(method, path, body, callTimeout);
        } catch (SocketTimeoutException e) {
            throw unavailable("did not answer within " + callTimeout.toMillis() + " ms", e);
        } catch (IOException | RuntimeException e) {
            Throwable cause = e.getCause() != null && e.getMessage() != null && e.getMessage().equals(e.getCause().getMessage())
                    ? e.getCause() : e;
            throw unavailable("is unreachable: " + describe(cause), cause);
        }
    }

    private byte[] readBody(DockerHttp.Exchange exchange) {
        try {
            return exchange.readAll();
        } catch (SocketTimeoutException e) {
            throw unavailable("did not answer within " + callTimeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw unavailable("broke off its answer: " + describe(e), e);
        }
    }

    Duration callTimeout() {
        return callTimeout;
    }

    /** The API version spoken to this daemon ({@code 1.41}), asking the daemon first if it was not asked yet. */
    String apiVersion() {
        String version = apiVersion;
        if (version == null) {
            ping();
            version = apiVersion;
        }
        return version;
    }

    /** Whether the spoken API version is at least {@code version}. */
    boolean speaksAtLeast(String version) {
        return compareVersions(apiVersion(), version) >= 0;
    }

    /** {@code path} under the spoken API version ({@code /v1.41/exec/...}). */
    String versioned(String path) {
        return "/v" + apiVersion() + path;
    }

    /** Maps an error answer to the port's exceptions; {@code nativeId} names what a 404 is about. */
    EngineException failure(Reply reply, String nativeId) {
        String message = errorMessage(reply.status(), reply.body());
        return switch (reply.status()) {
            case 400 -> new InvalidSpecException(message, List.of(
                    new InvalidSpecException.FieldError(fieldOf(message), message)));
            case 401, 403 -> new EngineForbiddenException("Docker engine '" + engineName + "' refused: " + message);
            case 404 -> nativeId != null ? new WorkloadNotFoundException(nativeId)
                    : unavailable("does not know the request: " + message, null);
            case 409 -> new EngineConflictException(message);
            // swarmkit's "update out of sequence" (a stale Version.Index) leaves dockerd as a 500
            case 500 -> message.contains("out of sequence")
                    ? new EngineConflictException("the service changed since it was read (" + message + ")")
                    : unavailable("failed: " + message, null);
            default -> unavailable("answered " + reply.status() + ": " + message, null);
        };
    }

    /** The model field a dockerd validation message is about, so a 422 can point at it. */
    private static String fieldOf(String message) {
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("port")) {
            return "spec.ports";
        }
        if (lower.contains("repository") || lower.contains("image") || lower.contains("reference format")) {
            return "spec.image";
        }
        if (lower.contains("replica")) {
            return "spec.replicas";
        }
        if (lower.contains("constraint")) {
            return "spec.constraints";
        }
        if (lower.contains("name")) {
            return "name";
        }
        return "spec";
    }

    /**
     * dockerd's {@code {"message": ...}}, sanitized by EngineMessages; the status alone when the body is
     * anything else (a proxy's page), which is never shown.
     */
    private static String errorMessage(int status, byte[] body) {
        String text = null;
        try {
            JsonNode message = Json.MAPPER.readTree(body).path("message");
            if (message.isString()) {
                text = message.stringValue().trim();
            }
        } catch (JacksonException e) {
            // not the documented {"message": ...} body
        }
        // dockerd forwards swarmkit's gRPC errors verbatim: keep only their description
        int desc = text == null ? -1 : text.indexOf(" desc = ");
        if (desc >= 0 && text.startsWith("rpc error:")) {
            text = text.substring(desc + " desc = ".length());
        }
        String reason = EngineMessages.sanitize(text);
        return reason.isEmpty() ? "HTTP " + status : reason;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** The older of two {@code major.minor} API versions. */
    static String older(String a, String b) {
        return compareVersions(a, b) <= 0 ? a : b;
    }

    private static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int cmp = Integer.compare(i < x.length ? parse(x[i]) : 0, i < y.length ? parse(y[i]) : 0);
            if (cmp != 0) {
                return cmp;
            }
        }
        return 0;
    }

    private static int parse(String number) {
        try {
            return Integer.parseInt(number.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        http.close();
    }

    record Reply(int status, byte[] body, String apiVersion) {
        Reply {
            body = body == null ? new byte[0] : body;
        }
    }
}
