package io.gantry.kubernetes;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP front for fabric8's KubernetesMockServer, standing where the API server's HTTP layer is.
 *
 * <p>Why it exists: the mock serves watches only as WebSocket upgrades (fabric8's own client
 * transport), while client-java, like kubectl, watches over a chunked HTTP response. The front
 * opens the WebSocket to the mock and writes each watch event as one JSON line, as the real API
 * server does; every other request is forwarded unchanged. It also serves what the mock lacks or
 * what a test needs to provoke: {@code /version}, pod logs, 403 on chosen resources, a 410 Gone
 * watch, and going away (stop/start on the same port; a watch that resumes across a restart which missed
 * changes gets 410 Gone, since the mock cannot replay them). {@code pods/exec} WebSockets are taken at the
 * {@link FrontDoor} and served by {@link ExecEndpoint}.
 */
public final class ApiServerFront implements AutoCloseable {
    private static final Pattern COLLECTION =
            Pattern.compile("/(deployments|statefulsets|daemonsets|replicasets|jobs|cronjobs|pods|services|events|secrets|configmaps|nodes)$");
    private static final Pattern RESOURCE_VERSION = Pattern.compile("\"resourceVersion\":\"(\\d+)\"");
    private static final Pattern WATCH_FROM = Pattern.compile("(?:^|&)resourceVersion=(\\d+)");
    private static final List<String> COLLECTIONS = List.of("/apis/apps/v1/deployments", "/apis/apps/v1/statefulsets",
            "/apis/apps/v1/daemonsets", "/apis/apps/v1/replicasets", "/apis/batch/v1/jobs", "/apis/batch/v1/cronjobs",
            "/api/v1/pods", "/api/v1/services", "/api/v1/secrets", "/api/v1/configmaps");
    private static final Pattern LOG_PATH = Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/]+)/log$");

    static {
        // the JDK's HttpServer writes a response's headers and body in two packets; without TCP_NODELAY the
        // body waits for the client's delayed ACK (about 40 ms a call), which no API server makes its clients pay
        // (Go's net/http sets TCP_NODELAY). Read once, by the first HttpServer of the JVM.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final URI mock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Set<String> forbidden = ConcurrentHashMap.newKeySet();
    /** Deployment watches still to expire, by the bearer token of the client they are meant for. */
    private final Map<String, AtomicInteger> goneWatches = new ConcurrentHashMap<>();
    /** "Bearer token plural" -> how long the next list of that collection by that client waits. */
    private final Map<String, Duration> stalledLists = new ConcurrentHashMap<>();
    private volatile Duration stall = Duration.ZERO;
    private final Map<String, String> cannedAnswers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> cannedCounts = new ConcurrentHashMap<>();
    private final AtomicInteger watchRequests = new AtomicInteger();
    private final AtomicInteger listRequests = new AtomicInteger();
    private final List<String> watchQueries = new CopyOnWriteArrayList<>();
    /** The highest resourceVersion handed to a client (list metadata, watch events). */
    private final java.util.concurrent.atomic.AtomicLong versionHandedOut = new java.util.concurrent.atomic.AtomicLong();
    /** After a restart that missed changes: watches from a version up to this one get 410 Gone. */
    private volatile long unreplayableUpTo = -1;
    private volatile String stateAtStop;
    private final AtomicInteger openWatches = new AtomicInteger();
    private final Set<OutputStream> openStreams = ConcurrentHashMap.newKeySet();
    private final List<String> deleteBodies = new CopyOnWriteArrayList<>();
    private final ExecEndpoint exec;
    private final int port;
    private volatile HttpServer server;
    private volatile FrontDoor door;

    ApiServerFront(String mockHost, int mockPort) throws IOException {
        this.mock = URI.create("http://" + mockHost + ":" + mockPort);
        this.exec = new ExecEndpoint(mock, http, head -> refusal(head.method(), head.path()));
        this.port = start(0);
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Requests whose path holds {@code /<plural>} get 403 Forbidden. */
    public void forbid(String plural) {
        forbidden.add(plural);
    }

    /** The exec channel protocols this API server speaks (v5 and v4 unless told). */
    public void speakExec(List<String> protocols) {
        exec.speak(protocols);
    }

    /** Exec upgrades wait this long before they are answered (other requests are answered at once). */
    public void stallExecFor(Duration delay) {
        exec.stallFor(delay);
    }

    public void allowAll() {
        forbidden.clear();
        stall = Duration.ZERO;
        exec.stallFor(Duration.ZERO);
    }

    /**
     * The next {@code times} requests of {@code method} to a path ending in {@code pathSuffix} are
     * answered with this Status body (its {@code code} is the HTTP status).
     */
    public void answerNext(String method, String pathSuffix, String statusJson, int times) {
        cannedAnswers.put(method + " " + pathSuffix, statusJson);
        cannedCounts.put(method + " " + pathSuffix, new AtomicInteger(times));
    }

    /** Every request waits this long before it is answered: an API server that hangs. */
    public void stallFor(Duration delay) {
        stall = delay;
    }

    /**
     * The next {@code count} deployment watches of the client that signs in with {@code token} answer with an
     * ERROR event holding 410 Gone. Keyed by token because other clients of the shared cluster (an earlier test's
     * watch still reconnecting) may open deployment watches meanwhile, and must not take the expiry meant for this one.
     */
    public void expireNextDeploymentWatches(String token, int count) {
        goneWatches.put("Bearer " + token, new AtomicInteger(count));
    }

    /**
     * The next list of the collection {@code plural} (say {@code deployments}) by the client that signs in with
     * {@code token} waits this long before it is answered; other lists and other clients are answered at once.
     */
    public void stallNextList(String token, String plural, Duration delay) {
        stalledLists.put("Bearer " + token + " " + plural, delay);
    }

    public int watchRequests() {
        return watchRequests.get();
    }

    /** Query strings of the watch requests received, oldest first. */
    public List<String> watchQueries() {
        return watchQueries;
    }

    /** GETs of a whole collection (deployments, pods...) that were not watches: what a full list costs the server. */
    public int listRequests() {
        return listRequests.get();
    }

    /** Watches streaming now: their WebSocket to the mock is open, so a change made from here on reaches them. */
    public int openWatches() {
        return openWatches.get();
    }

    /** Bodies of the DELETE requests received (DeleteOptions), oldest first. */
    public List<String> deleteBodies() {
        return deleteBodies;
    }

    /** The API server goes away: the port refuses connections and open watches break. */
    public void stop() {
        stateAtStop = mockState();
        door.close();
        server.stop(0);
        for (OutputStream out : openStreams) {
            try {
                out.close();
            } catch (IOException ignored) {
                // already broken: that is the point
            }
        }
        openStreams.clear();
    }

    /** The API server comes back on the same port. */
    public void restart() throws IOException {
        // the mock keeps no history to replay a watch from: an API server that cannot replay what changed
        // while it was away answers 410 Gone (the client then lists again), as the real one does when a version
        // has left its window. Nothing changed: the watches resume from their versions.
        if (stateAtStop != null && !stateAtStop.equals(mockState())) {
            unreplayableUpTo = versionHandedOut.get();
        }
        start(port);
    }

    /** Every object of the collections Gantry watches, with its version: what a replay would have to cover. */
    private String mockState() {
        StringBuilder state = new StringBuilder();
        for (String collection : COLLECTIONS) {
            try {
                state.append(http.send(HttpRequest.newBuilder(mock.resolve(collection)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return state.toString();
    }

    private void handedOut(CharSequence json) {
        Matcher m = RESOURCE_VERSION.matcher(json);
        while (m.find()) {
            long version = Long.parseLong(m.group(1));
            versionHandedOut.accumulateAndGet(version, Math::max);
        }
    }

    /** The HttpServer on a port of its own, behind a door on {@code publicPort} (0: any); returns the door's port. */
    private int start(int publicPort) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/", this::handle);
        s.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "api-front");
            t.setDaemon(true);
            return t;
        }));
        s.start();
        server = s;
        door = new FrontDoor(publicPort, () -> s.getAddress().getPort(), exec);
        return door.port();
    }

    /** A 403 on a forbidden resource, or the canned answer due for this request; {@code null} for neither. */
    private ExecEndpoint.Answer refusal(String method, String path) {
        for (String plural : forbidden) {
            if (path.contains("/" + plural)) {
                return new ExecEndpoint.Answer(403, status(403, "Forbidden", plural + " is forbidden: User \"gantry\" cannot list resource \""
                        + plural + "\""));
            }
        }
        for (var canned : cannedAnswers.entrySet()) {
            String[] key = canned.getKey().split(" ", 2);
            if (key[0].equals(method) && path.endsWith(key[1]) && cannedCounts.get(canned.getKey()).getAndDecrement() > 0) {
                Matcher code = Pattern.compile("\"code\"\\s*:\\s*(\\d+)").matcher(canned.getValue());
                return new ExecEndpoint.Answer(code.find() ? Integer.parseInt(code.group(1)) : 500, canned.getValue());
            }
        }
        return null;
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            if (!stall.isZero()) {
                Thread.sleep(stall.toMillis());
            }
            String path = ex.getRequestURI().getRawPath();
            String query = ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery();
            ExecEndpoint.Answer refusal = refusal(ex.getRequestMethod(), path);
            if (refusal != null) {
                respond(ex, refusal.code(), refusal.json());
                return;
            }
            if (path.equals("/version")) {
                respond(ex, 200, "{\"major\":\"1\",\"minor\":\"33\",\"gitVersion\":\"v1.33.0-emulated\",\"platform\":\"linux/amd64\"}");
                return;
            }
            Matcher log = LOG_PATH.matcher(path);
            if (log.matches()) {
                logs(ex, log.group(2), query);
                return;
            }
            if (query.contains("watch=true")) {
                watch(ex, path, query, String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
                return;
            }
            if ("GET".equals(ex.getRequestMethod()) && COLLECTION.matcher(path).find()) {
                listRequests.incrementAndGet();
                Duration stalled = stalledLists.remove(ex.getRequestHeaders().getFirst("Authorization") + " "
                        + path.substring(path.lastIndexOf('/') + 1));
                if (stalled != null) {
                    Thread.sleep(stalled.toMillis());
                }
            }
            if ("PATCH".equals(ex.getRequestMethod())
                    && String.valueOf(ex.getRequestHeaders().getFirst("Content-Type")).startsWith("application/merge-patch+json")) {
                mergePatch(ex, path, query);
                return;
            }
            forward(ex, path, query);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            try {
                respond(ex, 500, status(500, "InternalError", String.valueOf(e)));
            } catch (IOException ignored) {
                // the client is gone
            }
        } finally {
            ex.close();
        }
    }

    private void forward(HttpExchange ex, String path, String query) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        if ("DELETE".equals(ex.getRequestMethod())) {
            deleteBodies.add(path + " " + new String(body, StandardCharsets.UTF_8));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(mock.resolve(path + (query.isEmpty() ? "" : "?" + query)))
                .timeout(Duration.ofSeconds(10))
                .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        String contentType = ex.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            ex.getResponseHeaders().add("Content-Type", "application/json");
            byte[] out = response.body();
            if ("GET".equals(ex.getRequestMethod())) {
                // a list's own version comes first (its metadata); the items' follow and are not needed
                handedOut(new String(out, 0, Math.min(out.length, 400), StandardCharsets.UTF_8));
            }
            ex.sendResponseHeaders(response.statusCode(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                ex.getResponseBody().write(out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /**
     * RFC 7386 done here: the mock appends to arrays on a merge patch, where the API server (and the
     * RFC) replaces them, which matters for {@code containers}. Read, merge, write back with PUT.
     */
    private void mergePatch(HttpExchange ex, String path, String query) throws IOException {
        byte[] patch = ex.getRequestBody().readAllBytes();
        try {
            HttpResponse<String> current = http.send(HttpRequest.newBuilder(mock.resolve(path)).timeout(Duration.ofSeconds(10))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (current.statusCode() != 200) {
                respond(ex, current.statusCode(), current.body());
                return;
            }
            JsonElement merged = merge(JsonParser.parseString(current.body()),
                    JsonParser.parseString(new String(patch, StandardCharsets.UTF_8)));
            HttpResponse<String> written = http.send(HttpRequest.newBuilder(mock.resolve(path)).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(merged.toString()))
                    .build(), HttpResponse.BodyHandlers.ofString());
            respond(ex, written.statusCode(), written.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    static JsonElement merge(JsonElement target, JsonElement patch) {
        if (!patch.isJsonObject()) {
            return patch;
        }
        JsonObject result = target != null && target.isJsonObject() ? target.getAsJsonObject().deepCopy()
                : new JsonObject();
        for (var entry : patch.getAsJsonObject().entrySet()) {
            if (entry.getValue().isJsonNull()) {
                result.remove(entry.getKey());
            } else {
                result.add(entry.getKey(), merge(result.get(entry.getKey()), entry.getValue()));
            }
        }
        return result;
    }

    /** One JSON line per event, as the API server streams a watch (Transfer-Encoding: chunked). */
    private void watch(HttpExchange ex, String path, String query, String authorization) throws IOException {
        watchRequests.incrementAndGet();
        watchQueries.add(query);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        Matcher from = WATCH_FROM.matcher(query);
        if (from.find() && Long.parseLong(from.group(1)) <= unreplayableUpTo) {
            out.write(("{\"type\":\"ERROR\",\"object\":" + status(410, "Expired", "too old resource version") + "}\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            return;
        }
        AtomicInteger gone = goneWatches.get(authorization);
        if (path.endsWith("/deployments") && gone != null && gone.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            out.write(("{\"type\":\"ERROR\",\"object\":" + status(410, "Expired", "too old resource version") + "}\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            return;
        }
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        StringBuilder partial = new StringBuilder();
        WebSocket socket;
        try {
            socket = http.newWebSocketBuilder().buildAsync(URI.create("ws://" + mock.getHost() + ":" + mock.getPort()
                    + path + "?" + query), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                            partial.append(data);
                            if (last) {
                                events.add(partial.toString());
                                partial.setLength(0);
                            }
                            webSocket.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                            events.add("");
                            return null;
                        }

                        @Override
                        public void onError(WebSocket webSocket, Throwable error) {
                            events.add("");
                        }
                    }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("cannot open the mock's watch", e);
        }
        openStreams.add(out);
        openWatches.incrementAndGet();
        try {
            while (true) {
                String event = events.poll(200, TimeUnit.MILLISECONDS);
                if (event == null) {
                    continue;
                }
                if (event.isEmpty()) {
                    return;
                }
                handedOut(event);
                out.write(event.replace("\n", "").getBytes(StandardCharsets.UTF_8));
                out.write('\n');
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            openWatches.decrementAndGet();
            openStreams.remove(out);
            socket.abort();
        }
    }

    /** Three timestamped lines per pod; with follow, one more line every 200 ms until the client leaves. */
    private void logs(HttpExchange ex, String pod, String query) throws IOException {
        int tail = 3;
        Matcher m = Pattern.compile("tailLines=(\\d+)").matcher(query);
        if (m.find()) {
            tail = Integer.parseInt(m.group(1));
        }
        ex.getResponseHeaders().add("Content-Type", "text/plain");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        List<String> lines = List.of(1, 2, 3).stream()
                .map(i -> logTime(pod, i) + " line " + i + " of " + pod + "\n").toList();
        for (String line : lines.subList(Math.max(0, lines.size() - tail), lines.size())) {
            out.write(line.getBytes(StandardCharsets.UTF_8));
        }
        out.flush();
        if (query.contains("follow=true")) {
            openStreams.add(out);
            try {
                for (int i = 4; i < 1000; i++) {
                    Thread.sleep(200);
                    out.write((Instant.now() + " line " + i + " of " + pod + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                openStreams.remove(out);
            }
        }
    }

    /** Pods' lines interleave in time: line i of a pod is written at second i plus a per-pod offset. */
    static String logTime(String pod, int line) {
        int offset = Math.floorMod(pod.hashCode(), 500);
        return Instant.parse("2026-01-01T00:00:00Z").plusSeconds(line).plusMillis(offset).toString();
    }

    static String status(int code, String reason, String message) {
        return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\""
                + message.replace("\"", "\\\"") + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}";
    }

    private static void respond(HttpExchange ex, int code, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(code, body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        stop();
    }
}
