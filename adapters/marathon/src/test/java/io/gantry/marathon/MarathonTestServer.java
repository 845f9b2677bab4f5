package io.gantry.marathon;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stateful stand-in for Marathon 1.x (and the bits of a Mesos master and agent the adapter reads),
 * following the REST docs in the fixtures' RAML: apps CRUD with partial-update PUT, groups, deployments
 * that lock their apps (409 with the deployment ids) until they complete after a delay, tasks launched per
 * instance (staging, then running, healthy when the app has health checks), the launch queue with a back-off
 * for apps set to fail, pods, app and pod versions (kept on every change, listed and read per version, an app
 * rolled back by {@code PUT {"version": ...}}), 422 validation errors in Marathon's {@code details} format, and the SSE event
 * bus with {@code event_type} filters. The Mesos part answers {@code /master/slaves} (agents whose pid points
 * back here), {@code /master/tasks} (each task's state and container, filtered by {@code framework_id} and
 * {@code task_id}), the agent's {@code /files/read} over each task's generated stdout and stderr, and the agent's
 * operator API for exec sessions in nested containers ({@link MesosTestAgent}).
 */
public final class MarathonTestServer implements AutoCloseable {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String FRAMEWORK_ID = "96d7da70-b731-4cfb-96a7-0ee877af615d-0000";
    private static final Set<String> OPERATORS = Set.of("UNIQUE", "CLUSTER", "GROUP_BY", "LIKE", "UNLIKE", "MAX_PER",
            "IS");
    private static final String POISON = "\u0000close";
    /** {@code /{app id}/versions} and {@code /{app id}/versions/{version}} under {@code /v2/apps}. */
    private static final Pattern VERSIONS = Pattern.compile("^(/.+)/versions(?:/([^/]+))?/?$");
    private static final java.time.format.DateTimeFormatter VERSION_FORMAT =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);
    /** What each agent offers (GET /master/slaves): an app asking more than this never gets an offer it can use. */
    private static final double AGENT_CPUS = 4;
    private static final double AGENT_MEM = 15360;

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "marathon-test-server");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "marathon-test-deployments");
        t.setDaemon(true);
        return t;
    });
    private final Pattern idPattern;
    private final Map<String, ObjectNode> apps = new TreeMap<>();
    private final Map<String, List<Task>> tasks = new TreeMap<>();
    private final Map<String, ObjectNode> lastTaskFailure = new TreeMap<>();
    private final Map<String, String> failingApps = new TreeMap<>();
    private final Map<String, ObjectNode> pods = new TreeMap<>();
    private final Map<String, Deployment> deployments = new LinkedHashMap<>();
    private final List<EventClient> streams = new CopyOnWriteArrayList<>();
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    /** Every version of every app and pod, oldest first, as Marathon keeps them until the app or pod is deleted. */
    private final Map<String, List<ObjectNode>> appVersions = new TreeMap<>();
    private final Map<String, List<ObjectNode>> podVersions = new TreeMap<>();
    private Instant lastVersion = Instant.EPOCH;
    private final AtomicInteger nextPort = new AtomicInteger(31000);
    private final int agents;
    private final String scheme;
    private volatile Duration deploymentDelay = Duration.ofMillis(300);
    private volatile AppListBody appList;
    private volatile String leader;
    private volatile String requiredAuthorization;
    private volatile boolean leaderless;
    private volatile Duration slowdown = Duration.ZERO;
    private volatile Reply brokenAnswer;
    private final MesosTestAgent mesosAgent = new MesosTestAgent(this::runningContainer);

    /** A Mesos task of an app. */
    private static final class Task {
        final String id;
        final String appId;
        final String agent;
        final int port;
        final String version;
        /** The Mesos container its executor runs in: the parent of exec sessions' nested containers. */
        final String containerId = UUID.randomUUID().toString();
        final Instant stagedAt = Instant.now();
        Instant startedAt;
        String state = "TASK_STAGING";
        final StringBuilder stdout = new StringBuilder();
        final StringBuilder stderr = new StringBuilder();

        Task(String appId, String agent, int port, String version) {
            this.id = appId.substring(1).replace('/', '_') + "." + UUID.randomUUID();
            this.appId = appId;
            this.agent = agent;
            this.port = port;
            this.version = version;
        }
    }

    /** A request as received: {@code METHOD path?query} and its body (empty when none). */
    record Received(String request, String body) {
    }

    /** A deployment in progress; it locks what it affects. */
    private record Deployment(String id, String version, String action, List<String> apps, List<String> pods) {
    }

    /** One open {@code /v2/events} response. */
    private record EventClient(BlockingQueue<String> frames, Set<String> types) {
    }

    private MarathonTestServer(int agents, SSLContext tls) throws IOException {
        this.agents = agents;
        this.idPattern = Pattern.compile(JSON.readTree(Files.readString(fixtures().resolve("schema/Group.json")))
                .path("definitions").path("pathType").path("pattern").asString());
        if (tls != null) {
            HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            this.server = https;
        } else {
            this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        }
        this.scheme = tls == null ? "http" : "https";
        this.server.setExecutor(handlers);
        this.server.createContext("/", this::handle);
        this.server.start();
        this.leader = "127.0.0.1:" + port();
    }

    public static MarathonTestServer start() {
        return start(3);
    }

    /** A server whose Mesos master knows {@code agents} agents. */
    static MarathonTestServer start(int agents) {
        try {
            return new MarathonTestServer(agents, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A server on https with this TLS context. */
    static MarathonTestServer startTls(SSLContext tls) {
        try {
            return new MarathonTestServer(3, tls);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Marathon fixtures ({@code testdata/fixtures/marathon}); a missing one fails the test (never skips it). */
    static Path fixtures() {
        String dir = System.getProperty("gantry.fixtures");
        if (dir == null || !Files.isDirectory(Path.of(dir, "marathon"))) {
            throw new AssertionError("fixtures not found: system property gantry.fixtures=" + dir);
        }
        return Path.of(dir, "marathon");
    }

    int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return scheme + "://127.0.0.1:" + port();
    }

    /** Each deployment completes after this long (and locks its apps meanwhile). */
    public MarathonTestServer deploymentDelay(Duration delay) {
        this.deploymentDelay = delay;
        return this;
    }

    /** From now on every request needs exactly this {@code Authorization} header, else 401. */
    MarathonTestServer requireAuthorization(String header) {
        this.requiredAuthorization = header;
        return this;
    }

    void leader(String newLeader) {
        this.leader = newLeader;
    }

    /** Every answer is delayed this long, as an overloaded Marathon would. */
    void slowdown(Duration delay) {
        this.slowdown = delay;
    }

    /**
     * While true, every API call answers 503 as a Marathon does during a leader election. Setting it cuts the
     * event streams: a Marathon that loses its leadership exits, which closes them.
     */
    public void leaderless(boolean value) {
        this.leaderless = value;
        if (value) {
            dropEventStreams();
        }
    }

    /**
     * From now on every request is answered with this status and this body (as text/html), as a proxy's
     * error page in front of Marathon would; {@code null} answers normally again.
     */
    public void answerEverythingWith(int status, String html) {
        this.brokenAnswer = html == null ? null : new Reply(status, html);
    }

    /** Writes a whole {@code GET /v2/apps} answer, as it goes (chunked). */
    interface AppListBody {
        void write(OutputStream out) throws IOException, InterruptedException;
    }

    /**
     * From now on {@code GET /v2/apps} is answered by {@code body} (a generated big listing, a fixture) instead of
     * the apps this server holds; {@code null} answers from them again. The other resources stay as they are.
     */
    void appList(AppListBody body) {
        this.appList = body;
    }

    /** Requests received, as {@code METHOD path?query}, oldest first. */
    public List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Requests received with their bodies, oldest first. */
    List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** Cuts every open event stream, as a leader abdication or a network failure would. */
    public void dropEventStreams() {
        for (EventClient c : streams) {
            c.frames().add(POISON);
        }
        streams.clear();
    }

    public int openEventStreams() {
        return streams.size();
    }

    /** Tasks of this app fail when launched (with this message) and its launches back off. */
    synchronized void failLaunches(String appId, String message) {
        failingApps.put(appId, message);
    }

    /**
     * The app's running tasks crash (TASK_FAILED with this message) after its deployment ended, and
     * relaunches fail: nothing runs and no deployment is in progress.
     */
    public synchronized void crash(String appId, String message) {
        failingApps.put(appId, message);
        List<Task> list = tasks.getOrDefault(appId, new ArrayList<>());
        for (Task t : list) {
            t.state = "TASK_FAILED";
            t.stderr.append(message).append('\n');
            statusUpdate(t, message);
            recordFailure(t, message);
        }
        list.clear();
    }

    /** Creates an app as if posted to {@code /v2/apps} by someone else; returns the status code. */
    public int createApp(String json) {
        return handleCreate(JSON.readTree(json), "10.0.0.99").status;
    }

    synchronized void createPod(String json) {
        ObjectNode pod = (ObjectNode) JSON.readTree(json);
        startPodDeployment(pod, "StartPod", "pod_created_event", "10.0.0.99");
    }

    synchronized void appendStdout(String taskId, String line) {
        tasks.values().stream().flatMap(List::stream).filter(t -> t.id.equals(taskId))
                .forEach(t -> t.stdout.append(line).append('\n'));
    }

    public synchronized long runningTasks() {
        return tasks.values().stream().flatMap(List::stream).filter(t -> t.state.equals("TASK_RUNNING")).count();
    }

    synchronized List<String> taskIds(String appId) {
        return tasks.getOrDefault(appId, List.of()).stream().map(t -> t.id).toList();
    }

    /** The agent API part (every agent's pid points here): its nested containers. */
    MesosTestAgent mesosAgent() {
        return mesosAgent;
    }

    private synchronized boolean runningContainer(String containerId) {
        return tasks.values().stream().flatMap(List::stream)
                .anyMatch(t -> t.containerId.equals(containerId) && t.state.equals("TASK_RUNNING"));
    }

    @Override
    public void close() {
        mesosAgent.close();
        dropEventStreams();
        server.stop(0);
        scheduler.shutdownNow();
        handlers.shutdownNow();
    }

    // ---- HTTP

    private record Reply(int status, String body) {
        static Reply json(int status, JsonNode body) {
            return new Reply(status, body.toString());
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        URI uri = ex.getRequestURI();
        String path = uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        requests.add(method + " " + path + (query.isEmpty() ? "" : "?" + query));
        try {
            if (!slowdown.isZero() && !path.equals("/v2/events")) {
                Thread.sleep(slowdown.toMillis());
            }
            String auth = requiredAuthorization;
            if (auth != null && !auth.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, error(401, "Invalid username or password."));
                return;
            }
            Reply broken = brokenAnswer;
            if (broken != null) {
                byte[] page = broken.body().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/html");
                ex.sendResponseHeaders(broken.status(), page.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(page);
                }
                ex.close();
                return;
            }
            if (leaderless && path.startsWith("/v2/")) {
                send(ex, error(503, "Could not determine the current leader"));
                return;
            }
            if (path.equals("/v2/events")) {
                events(ex, query);
                return;
            }
            AppListBody list = appList;
            if (list != null && method.equals("GET") && (path.equals("/v2/apps") || path.equals("/v2/apps/"))) {
                ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
                ex.sendResponseHeaders(200, 0);
                try (OutputStream out = ex.getResponseBody()) {
                    list.write(out);
                }
                ex.close();
                return;
            }
            if (path.equals("/api/v1")) {
                // streamed both ways: the agent part reads the body itself
                mesosAgent.handle(ex);
                return;
            }
            String body;
            try (InputStream in = ex.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            received.add(new Received(method + " " + path + (query.isEmpty() ? "" : "?" + query), body));
            send(ex, route(method, path, params(query), body));
        } catch (InterruptedException e) {
            ex.close();
        } catch (RuntimeException e) {
            send(ex, error(500, String.valueOf(e)));
        }
    }

    private Reply route(String method, String path, Map<String, List<String>> q, String body) {
        String clientIp = "127.0.0.1";
        if (path.equals("/v2/info")) {
            return Reply.json(200, info());
        }
        if (path.equals("/v2/leader")) {
            return Reply.json(200, JSON.createObjectNode().put("leader", leader));
        }
        if (path.equals("/v2/apps") || path.equals("/v2/apps/")) {
            if (method.equals("POST")) {
                JsonNode app;
                try {
                    app = JSON.readTree(body);
                } catch (RuntimeException e) {
                    return invalidJson();
                }
                return handleCreate(app, clientIp);
            }
            return Reply.json(200, listApps(embeds(q, "apps.")));
        }
        if (path.startsWith("/v2/apps/")) {
            return appResource(method, path.substring("/v2/apps".length()), q, body, clientIp);
        }
        if (path.equals("/v2/tasks")) {
            synchronized (this) {
                ArrayNode all = JSON.createArrayNode();
                tasks.values().forEach(list -> list.forEach(t -> all.add(taskJson(t))));
                return Reply.json(200, JSON.createObjectNode().set("tasks", all));
            }
        }
        if (path.equals("/v2/groups") || path.startsWith("/v2/groups/")) {
            String id = path.length() <= "/v2/groups/".length() ? "/" : path.substring("/v2/groups".length());
            return group(id);
        }
        if (path.equals("/v2/deployments")) {
            return Reply.json(200, deploymentsJson());
        }
        if (path.startsWith("/v2/deployments/") && method.equals("DELETE")) {
            return cancelDeployment(path.substring("/v2/deployments/".length()));
        }
        if (path.equals("/v2/queue")) {
            return Reply.json(200, queue());
        }
        if (path.startsWith("/v2/pods")) {
            return podResource(method, path.substring("/v2/pods".length()), q, body, clientIp);
        }
        if (path.equals("/master/health")) {
            return new Reply(200, "");
        }
        if (path.equals("/master/slaves")) {
            return Reply.json(200, slaves());
        }
        if (path.equals("/master/tasks")) {
            return Reply.json(200, mesosTasks(param(q, "framework_id"), param(q, "task_id")));
        }
        if (path.equals("/files/read")) {
            return readFile(q);
        }
        return error(404, "no such resource " + path);
    }

    private static Map<String, List<String>> params(String query) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    private static String param(Map<String, List<String>> q, String name) {
        List<String> v = q.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static Set<String> embeds(Map<String, List<String>> q, String prefix) {
        Set<String> out = new java.util.HashSet<>();
        for (String e : q.getOrDefault("embed", List.of())) {
            if (e.startsWith(prefix)) {
                out.add(e.substring(prefix.length()));
            }
        }
        return out;
    }

    private static void send(HttpExchange ex, Reply reply) throws IOException {
        byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
        ex.close();
    }

    private static Reply error(int status, String message) {
        return Reply.json(status, JSON.createObjectNode().put("message", message));
    }

    private static Reply invalidJson() {
        ObjectNode body = JSON.createObjectNode().put("message", "Invalid JSON");
        body.putArray("details").addObject().put("path", "/").putArray("errors").add("error.expected.jsobject");
        return Reply.json(400, body);
    }

    private ObjectNode info() {
        ObjectNode info = JSON.createObjectNode().put("name", "marathon").put("version", "1.11.24")
                .put("buildref", "test").put("elected", true).put("leader", leader).put("frameworkId", FRAMEWORK_ID);
        info.putObject("marathon_config").put("master", "zk://localhost:2181/mesos").put("ha", true);
        info.putObject("http_config").put("http_port", port());
        return info;
    }

    // ---- apps

    private Reply appResource(String method, String rest, Map<String, List<String>> q, String body, String ip) {
        boolean force = "true".equals(param(q, "force"));
        if (rest.endsWith("/restart") && method.equals("POST")) {
            return restart(rest.substring(0, rest.length() - "/restart".length()), force);
        }
        if (rest.endsWith("/tasks") && method.equals("GET")) {
            String id = rest.substring(0, rest.length() - "/tasks".length());
            synchronized (this) {
                if (!apps.containsKey(id)) {
                    return error(404, "App '" + id + "' does not exist");
                }
                ArrayNode list = JSON.createArrayNode();
                tasks.getOrDefault(id, List.of()).forEach(t -> list.add(taskJson(t)));
                return Reply.json(200, JSON.createObjectNode().set("tasks", list));
            }
        }
        java.util.regex.Matcher versions = VERSIONS.matcher(rest);
        if (versions.matches() && method.equals("GET")) {
            return appVersion(versions.group(1), versions.group(2));
        }
        String id = rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
        switch (method) {
            case "GET" -> {
                synchronized (this) {
                    ObjectNode app = apps.get(id);
                    if (app == null) {
                        return error(404, "App '" + id + "' does not exist");
                    }
                    Set<String> embed = embeds(q, "app.");
                    // counts and deployments are embedded by default for a single app (RAML: apps.raml)
                    embed.add("counts");
                    embed.add("deployments");
                    return Reply.json(200, JSON.createObjectNode().set("app", appJson(app, embed)));
                }
            }
            case "PUT" -> {
                JsonNode update;
                try {
                    update = JSON.readTree(body);
                } catch (RuntimeException e) {
                    return invalidJson();
                }
                return handleUpdate(id, (ObjectNode) update, !"false".equals(param(q, "partialUpdate")), force, ip);
            }
            case "DELETE" -> {
                return handleDelete(id, force);
            }
            default -> {
                return error(405, "method not allowed");
            }
        }
    }

    /**
     * {@code GET /v2/apps/{id}/versions} ({@code {"versions": [...]}}) and {@code GET /v2/apps/{id}/versions/{v}}
     * (the bare app definition of that version, RAML apps.raml). Marathon lists the versions as its store holds
     * them and promises no order: they are served oldest first, so a client that wants the newest sorts.
     */
    private synchronized Reply appVersion(String id, String version) {
        List<ObjectNode> versions = appVersions.get(id);
        if (versions == null) {
            return error(404, "App '" + id + "' does not exist");
        }
        if (version == null) {
            ArrayNode list = JSON.createArrayNode();
            versions.forEach(v -> list.add(v.path("version").asString()));
            return Reply.json(200, JSON.createObjectNode().set("versions", list));
        }
        ObjectNode found = versionOf(versions, version);
        return found == null ? error(404, "App '" + id + "' does not exist in version " + version)
                : Reply.json(200, found);
    }

    /** The stored version with this timestamp (compared as instants, as Marathon parses them), or {@code null}. */
    private static ObjectNode versionOf(List<ObjectNode> versions, String version) {
        Instant wanted;
        try {
            wanted = Instant.parse(version);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
        return versions.stream().filter(v -> Instant.parse(v.path("version").asString()).equals(wanted)).findFirst()
                .map(ObjectNode::deepCopy).orElse(null);
    }

    /**
     * A new version timestamp as Marathon writes it (milliseconds, {@code 2014-03-01T23:17:50.295Z}), later than
     * every earlier one so that two changes within a millisecond stay two versions.
     */
    private synchronized String newVersion() {
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        lastVersion = now.isAfter(lastVersion) ? now : lastVersion.plusMillis(1);
        return VERSION_FORMAT.format(lastVersion);
    }

    /** Keeps the app's definition as it is now as one of its versions. */
    private void keepVersion(ObjectNode app) {
        appVersions.computeIfAbsent(app.path("id").asString(), k -> new ArrayList<>()).add(app.deepCopy());
    }

    private synchronized ArrayNode listAppsArray(Set<String> embed) {
        ArrayNode list = JSON.createArrayNode();
        apps.values().forEach(a -> list.add(appJson(a, embed)));
        return list;
    }

    private ObjectNode listApps(Set<String> embed) {
        return (ObjectNode) JSON.createObjectNode().set("apps", listAppsArray(embed));
    }

    /** The app as Marathon shows it, with the embeds asked for. */
    private synchronized ObjectNode appJson(ObjectNode definition, Set<String> embed) {
        ObjectNode app = definition.deepCopy();
        String id = app.path("id").asString();
        List<Task> list = tasks.getOrDefault(id, List.of());
        boolean checked = !app.path("healthChecks").isEmpty();
        if (embed.contains("counts")) {
            long running = list.stream().filter(t -> t.state.equals("TASK_RUNNING")).count();
            app.put("tasksStaged", list.stream().filter(t -> t.state.equals("TASK_STAGING")).count());
            app.put("tasksRunning", running);
            app.put("tasksHealthy", checked ? running : 0);
            app.put("tasksUnhealthy", 0);
        }
        if (embed.contains("deployments")) {
            ArrayNode ds = app.putArray("deployments");
            deployments.values().stream().filter(d -> d.apps().contains(id))
                    .forEach(d -> ds.addObject().put("id", d.id()));
        }
        if (embed.contains("tasks")) {
            ArrayNode ts = app.putArray("tasks");
            list.forEach(t -> ts.add(taskJson(t)));
        }
        if (embed.contains("lastTaskFailure") && lastTaskFailure.containsKey(id)) {
            app.set("lastTaskFailure", lastTaskFailure.get(id));
        }
        return app;
    }

    private ObjectNode taskJson(Task t) {
        ObjectNode task = JSON.createObjectNode().put("id", t.id).put("appId", t.appId).put("host", host(t.agent))
                .put("slaveId", t.agent).put("stagedAt", t.stagedAt.toString()).put("version", t.version)
                .put("state", t.state);
        task.putArray("ports").add(t.port);
        task.putArray("ipAddresses").addObject().put("ipAddress", "127.0.0.1").put("protocol", "IPv4");
        if (t.startedAt != null) {
            task.put("startedAt", t.startedAt.toString());
        }
        ObjectNode app = apps.get(t.appId);
        if (app != null && !app.path("healthChecks").isEmpty() && t.state.equals("TASK_RUNNING")) {
            task.putArray("healthCheckResults").addObject().put("alive", true).put("consecutiveFailures", 0)
                    .put("firstSuccess", t.startedAt.toString()).putNull("lastFailure")
                    .put("lastSuccess", Instant.now().toString()).put("taskId", t.id);
        }
        return task;
    }

    private static String host(String agent) {
        return "node-" + agent.substring(agent.lastIndexOf('-') + 1);
    }

    /** Marathon's validation (accord) with its messages and paths, as 1.x answers them. */
    private List<ObjectNode> validate(JsonNode app) {
        List<ObjectNode> details = new ArrayList<>();
        String id = app.path("id").isString() ? app.path("id").asString() : null;
        if (id == null || id.isEmpty() || !idPattern.matcher(id).matches() || id.endsWith("/")) {
            details.add(detail("/id", "must fully match regular expression '" + idPattern.pattern() + "'"));
        }
        if (app.path("instances").isNumber() && app.path("instances").asInt() < 0) {
            details.add(detail("/instances", "got " + app.path("instances").asInt() + ", expected 0 or more"));
        }
        for (String f : List.of("cpus", "mem")) {
            if (app.path(f).isNumber() && app.path(f).asDouble() < 0) {
                details.add(detail("/" + f, "got " + app.path(f).asDouble() + ", expected 0.0 or more"));
            }
        }
        boolean hasCmd = app.path("cmd").isString() && !app.path("cmd").asString().isBlank();
        boolean hasArgs = app.path("args").isArray() && !app.path("args").isEmpty();
        boolean hasContainer = app.path("container").isObject();
        if (!hasCmd && !hasArgs && !hasContainer) {
            details.add(detail("/", "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."));
        }
        int i = 0;
        for (JsonNode m : app.path("container").path("portMappings").values()) {
            for (String f : List.of("containerPort", "hostPort")) {
                int p = m.path(f).asInt(0);
                if (p < 0 || p > 65535) {
                    details.add(detail("/container/portMappings(" + i + ")/" + f, "got " + p
                            + ", expected between 0 and 65535"));
                }
            }
            i++;
        }
        i = 0;
        for (JsonNode c : app.path("constraints").values()) {
            if (!c.isArray() || c.size() < 2 || !OPERATORS.contains(c.get(1).asString())) {
                details.add(detail("/constraints(" + i + ")", "Constraint operator must be one of the following: "
                        + OPERATORS));
            }
            i++;
        }
        // Marathon's SecretValidation / EnvVarValidation: a reference names an id of "secrets", whose source is set
        JsonNode secrets = app.path("secrets");
        for (Map.Entry<String, JsonNode> e : secrets.properties()) {
            if (!e.getValue().path("source").isString() || e.getValue().path("source").asString().isEmpty()) {
                details.add(detail("/secrets/" + e.getKey() + "/source", "must not be empty"));
            }
        }
        for (Map.Entry<String, JsonNode> e : app.path("env").properties()) {
            JsonNode ref = e.getValue().path("secret");
            if (e.getValue().isObject() && !secrets.has(ref.asString(""))) {
                details.add(detail("/env/" + e.getKey() + "/secret", "references an undefined secret"));
            }
        }
        i = 0;
        for (JsonNode v : app.path("container").path("volumes").values()) {
            if (v.has("secret") && !secrets.has(v.path("secret").asString(""))) {
                details.add(detail("/container/volumes(" + i + ")/secret", "references an undefined secret"));
            }
            i++;
        }
        if (app.path("upgradeStrategy").path("minimumHealthCapacity").asDouble(0) > 1) {
            details.add(detail("/upgradeStrategy/minimumHealthCapacity", "is greater than 1"));
        }
        return details;
    }

    private static ObjectNode detail(String path, String error) {
        ObjectNode d = JSON.createObjectNode().put("path", path);
        d.putArray("errors").add(error);
        return d;
    }

    private static Reply invalid(List<ObjectNode> details) {
        ObjectNode body = JSON.createObjectNode().put("message", "Object is not valid");
        ArrayNode ds = body.putArray("details");
        details.forEach(ds::add);
        return Reply.json(422, body);
    }

    private synchronized Reply handleCreate(JsonNode input, String ip) {
        if (!input.isObject()) {
            return invalidJson();
        }
        ObjectNode app = (ObjectNode) input.deepCopy();
        if (app.path("id").isString() && !app.path("id").asString().startsWith("/")) {
            app.put("id", "/" + app.path("id").asString());
        }
        List<ObjectNode> details = validate(app);
        if (!details.isEmpty()) {
            return invalid(details);
        }
        String id = app.path("id").asString();
        if (apps.containsKey(id) || pods.containsKey(id)) {
            return error(409, "An app with id [" + id + "] already exists.");
        }
        withDefaults(app);
        app.put("version", newVersion());
        app.putObject("versionInfo").put("lastScalingAt", app.path("version").asString())
                .put("lastConfigChangeAt", app.path("version").asString());
        apps.put(id, app);
        keepVersion(app);
        emit("api_post_event", JSON.createObjectNode().put("clientIp", ip).put("uri", "/v2/apps" + id)
                .set("appDefinition", app.deepCopy()));
        Deployment d = startDeployment("StartApplication", id);
        ObjectNode answer = appJson(app, Set.of("counts", "deployments", "tasks"));
        return Reply.json(201, answer);
    }

    private static void withDefaults(ObjectNode app) {
        if (!app.has("instances")) {
            app.put("instances", 1);
        }
        if (!app.has("cpus")) {
            app.put("cpus", 1);
        }
        if (!app.has("mem")) {
            app.put("mem", 128);
        }
    }

    private synchronized Reply handleUpdate(String id, ObjectNode update, boolean partial, boolean force, String ip) {
        ObjectNode existing = apps.get(id);
        if (existing == null) {
            update.put("id", id);
            return handleCreate(update, ip);
        }
        Reply locked = lockedReply(id, force);
        if (locked != null) {
            return locked;
        }
        ObjectNode next;
        if (update.path("version").isString()) {
            // Marathon's rollback (REST docs, "version rollback"): with "version" in the body the rest is ignored
            // and the app goes back to that version's definition, as a new version with a deployment
            next = versionOf(appVersions.getOrDefault(id, List.of()), update.path("version").asString());
            if (next == null) {
                return error(404, "App '" + id + "' does not exist in version " + update.path("version").asString());
            }
        } else {
            ObjectNode merged = partial ? existing.deepCopy() : JSON.createObjectNode();
            update.properties().forEach(e -> merged.set(e.getKey(), e.getValue()));
            next = merged;
        }
        next.put("id", id);
        for (String f : List.of("version", "versionInfo", "tasks", "deployments")) {
            next.remove(f);
        }
        List<ObjectNode> details = validate(next);
        if (!details.isEmpty()) {
            return invalid(details);
        }
        if (!next.has("instances")) {
            next.put("instances", 1);
        }
        ObjectNode before = existing.deepCopy();
        before.remove(List.of("version", "versionInfo", "instances"));
        ObjectNode after = next.deepCopy();
        after.remove(List.of("instances"));
        boolean configChanged = !before.equals(after);
        String now = newVersion();
        ObjectNode versionInfo = (ObjectNode) existing.path("versionInfo").deepCopy();
        versionInfo.put("lastScalingAt", now);
        if (configChanged) {
            versionInfo.put("lastConfigChangeAt", now);
        }
        next.put("version", now);
        next.set("versionInfo", versionInfo);
        apps.put(id, next);
        keepVersion(next);
        emit("api_post_event", JSON.createObjectNode().put("clientIp", ip).put("uri", "/v2/apps" + id)
                .set("appDefinition", next.deepCopy()));
        Deployment d = startDeployment(configChanged ? "RestartApplication" : "ScaleApplication", id);
        return Reply.json(200, JSON.createObjectNode().put("deploymentId", d.id()).put("version", d.version()));
    }

    private synchronized Reply handleDelete(String id, boolean force) {
        if (!apps.containsKey(id)) {
            return error(404, "App '" + id + "' does not exist");
        }
        Reply locked = lockedReply(id, force);
        if (locked != null) {
            return locked;
        }
        apps.remove(id);
        // Marathon drops an app's old versions with it (AppHelpers: "we deleted all old versions when dropping an app")
        appVersions.remove(id);
        lastTaskFailure.remove(id);
        Deployment d = startDeployment("StopApplication", id);
        return Reply.json(200, JSON.createObjectNode().put("deploymentId", d.id()).put("version", d.version()));
    }

    private synchronized Reply restart(String id, boolean force) {
        if (!apps.containsKey(id)) {
            return error(404, "App '" + id + "' does not exist");
        }
        Reply locked = lockedReply(id, force);
        if (locked != null) {
            return locked;
        }
        // a restart is a new app version (a scaling-like change: lastScalingAt moves, lastConfigChangeAt stays),
        // so tasks launched before it carry the old one
        String now = newVersion();
        ObjectNode app = apps.get(id);
        app.put("version", now);
        ((ObjectNode) app.path("versionInfo")).put("lastScalingAt", now);
        keepVersion(app);
        Deployment d = startDeployment("RestartApplication", id);
        return Reply.json(200, JSON.createObjectNode().put("deploymentId", d.id()).put("version", d.version()));
    }

    /** 409 while a deployment touches the id; with force, those deployments are cancelled instead. */
    private Reply lockedReply(String id, boolean force) {
        List<Deployment> locking = deployments.values().stream()
                .filter(d -> d.apps().contains(id) || d.pods().contains(id)).toList();
        if (locking.isEmpty()) {
            return null;
        }
        if (force) {
            locking.forEach(d -> finishDeployment(d, false));
            return null;
        }
        ObjectNode body = JSON.createObjectNode();
        ArrayNode ds = body.putArray("deployments");
        locking.forEach(d -> ds.addObject().put("id", d.id()));
        body.put("message", "App is locked by one or more deployments. Override with the option '?force=true'. "
                + "View details at '/v2/deployments/<DEPLOYMENT_ID>'.");
        return Reply.json(409, body);
    }

    // ---- deployments and tasks

    private Deployment startDeployment(String action, String appId) {
        Deployment d = new Deployment(UUID.randomUUID().toString(), Instant.now().toString(), action,
                List.of(appId), List.of());
        deployments.put(d.id(), d);
        emit("deployment_info", planEvent(d).set("currentStep", step(d)));
        ObjectNode app = apps.get(appId);
        List<Task> list = tasks.computeIfAbsent(appId, k -> new ArrayList<>());
        int instances = app == null ? 0 : app.path("instances").asInt(1);
        String version = app == null ? "" : app.path("version").asString();
        List<Task> launched = new ArrayList<>();
        if (app != null && !declinedOffers(app).isEmpty() && !action.equals("StopApplication")) {
            // no agent's offer fits: Marathon keeps the deployment and the instances wait in the launch queue
            return d;
        }
        if (action.equals("RestartApplication") || action.equals("StartApplication")) {
            for (int i = 0; i < instances; i++) {
                launched.add(launch(appId, i, version));
            }
        } else if (action.equals("ScaleApplication")) {
            long alive = list.stream().filter(t -> !t.state.startsWith("TASK_KILL")).count();
            for (long i = alive; i < instances; i++) {
                launched.add(launch(appId, (int) i, version));
            }
        }
        list.addAll(launched);
        scheduler.schedule(() -> progress(d, launched, instances), deploymentDelay.toMillis(), TimeUnit.MILLISECONDS);
        return d;
    }

    private Task launch(String appId, int index, String version) {
        Task t = new Task(appId, "agent-" + (index % agents + 1), nextPort.getAndIncrement(), version);
        t.stdout.append("launching ").append(t.id).append('\n');
        t.stderr.append("mesos: fetched nothing for ").append(t.id).append('\n');
        statusUpdate(t, "");
        return t;
    }

    private synchronized void progress(Deployment d, List<Task> launched, int instances) {
        // a cancelled (forced) deployment stops steering, but Mesos still starts the tasks it launched
        boolean cancelled = !deployments.containsKey(d.id());
        String appId = d.apps().get(0);
        List<Task> list = tasks.getOrDefault(appId, new ArrayList<>());
        String failure = failingApps.get(appId);
        if (failure != null && !d.action().equals("StopApplication")) {
            for (Task t : launched) {
                t.state = "TASK_FAILED";
                t.stderr.append(failure).append('\n');
                statusUpdate(t, failure);
                recordFailure(t, failure);
            }
            list.removeAll(launched);
            // Marathon keeps the deployment and retries with back-off: it stays in progress
            return;
        }
        for (Task t : launched) {
            if (!list.contains(t)) {
                continue;
            }
            t.state = "TASK_RUNNING";
            t.startedAt = Instant.now();
            t.stdout.append("task ").append(t.id).append(" is up\n");
            statusUpdate(t, "");
            ObjectNode app = apps.get(appId);
            if (app != null && !app.path("healthChecks").isEmpty()) {
                emit("instance_health_changed_event", JSON.createObjectNode().put("instanceId", t.id)
                        .put("runSpecId", appId).put("healthy", true).put("runSpecVersion", t.version));
            }
        }
        if (cancelled) {
            return;
        }
        // stop what is no longer wanted: everything after a stop or restart, the excess after a scale
        List<Task> toKill = new ArrayList<>();
        if (d.action().equals("StopApplication")) {
            toKill.addAll(list);
        } else if (d.action().equals("RestartApplication")) {
            list.stream().filter(t -> !launched.contains(t)).forEach(toKill::add);
        } else {
            int excess = list.size() - instances;
            for (int i = 0; i < excess; i++) {
                toKill.add(list.get(list.size() - 1 - i));
            }
        }
        for (Task t : toKill) {
            t.state = "TASK_KILLED";
            statusUpdate(t, "");
        }
        list.removeAll(toKill);
        if (d.action().equals("StopApplication")) {
            tasks.remove(appId);
            emit("app_terminated_event", JSON.createObjectNode().put("appId", appId));
        }
        finishDeployment(d, true);
    }

    private void recordFailure(Task t, String message) {
        lastTaskFailure.put(t.appId, JSON.createObjectNode().put("appId", t.appId).put("host", host(t.agent))
                .put("message", message).put("state", "TASK_FAILED").put("taskId", t.id)
                .put("timestamp", Instant.now().toString()).put("version", t.version).put("slaveId", t.agent));
    }

    private void finishDeployment(Deployment d, boolean success) {
        if (deployments.remove(d.id()) == null) {
            return;
        }
        ObjectNode event = planEvent(d).put("id", d.id());
        if (!success) {
            event.put("reason", "cancelled by a forced change");
        }
        emit(success ? "deployment_success" : "deployment_failed", event);
    }

    private ObjectNode planEvent(Deployment d) {
        ObjectNode event = JSON.createObjectNode();
        ObjectNode plan = event.putObject("plan").put("id", d.id()).put("version", d.version());
        plan.putArray("steps").add(step(d));
        return event;
    }

    private static ObjectNode step(Deployment d) {
        ObjectNode step = JSON.createObjectNode();
        ArrayNode actions = step.putArray("actions");
        d.apps().forEach(a -> actions.addObject().put("action", d.action()).put("app", a));
        d.pods().forEach(p -> actions.addObject().put("action", d.action()).put("pod", p));
        return step;
    }

    private void statusUpdate(Task t, String message) {
        ObjectNode e = JSON.createObjectNode().put("slaveId", t.agent).put("taskId", t.id).put("taskStatus", t.state)
                .put("message", message).put("appId", t.appId).put("host", host(t.agent)).put("version", t.version);
        e.putArray("ports").add(t.port);
        emit("status_update_event", e);
    }

    private synchronized ArrayNode deploymentsJson() {
        ArrayNode list = JSON.createArrayNode();
        for (Deployment d : deployments.values()) {
            ObjectNode o = list.addObject().put("id", d.id()).put("version", d.version());
            ArrayNode affectedApps = o.putArray("affectedApps");
            d.apps().forEach(affectedApps::add);
            ArrayNode affectedPods = o.putArray("affectedPods");
            d.pods().forEach(affectedPods::add);
            o.putArray("steps").add(step(d));
            o.putArray("currentActions").addAll((ArrayNode) step(d).get("actions"));
            o.put("currentStep", 1).put("totalSteps", 1);
        }
        return list;
    }

    private synchronized Reply cancelDeployment(String id) {
        Deployment d = deployments.get(id);
        if (d == null) {
            return error(404, "DeploymentPlan " + id + " does not exist");
        }
        finishDeployment(d, false);
        return Reply.json(202, JSON.createObjectNode().put("deploymentId", id).put("version", d.version()));
    }

    /**
     * The launch queue: apps set to fail wait out a back-off; apps asking more than any agent offers wait for
     * offers, with each agent's last offer declined for the resources it lacks (rejectSummaryLastOffers).
     */
    private synchronized ObjectNode queue() {
        ArrayNode queue = JSON.createArrayNode();
        for (ObjectNode app : apps.values()) {
            String id = app.path("id").asString();
            List<String> declined = declinedOffers(app);
            if (!failingApps.containsKey(id) && declined.isEmpty()) {
                continue;
            }
            long running = tasks.getOrDefault(id, List.of()).stream().filter(t -> t.state.equals("TASK_RUNNING"))
                    .count();
            long missing = app.path("instances").asInt(1) - running;
            if (missing <= 0) {
                continue;
            }
            ObjectNode entry = queue.addObject();
            entry.set("app", app.deepCopy());
            entry.put("count", missing).put("role", "*");
            boolean backOff = failingApps.containsKey(id);
            entry.putObject("delay").put("timeLeftSeconds", backOff ? 42 : 0).put("overdue", !backOff);
            entry.put("since", app.path("version").asString());
            ObjectNode summary = entry.putObject("processedOffersSummary").put("processedOffersCount", agents)
                    .put("unusedOffersCount", declined.isEmpty() ? 0 : agents);
            ArrayNode last = summary.putArray("rejectSummaryLastOffers");
            for (String reason : List.of("UnfulfilledRole", "UnfulfilledConstraint", "InsufficientCpus",
                    "InsufficientMemory", "InsufficientDisk", "InsufficientPorts")) {
                last.addObject().put("reason", reason).put("declined", declined.contains(reason) ? agents : 0)
                        .put("processed", agents);
            }
        }
        return (ObjectNode) JSON.createObjectNode().set("queue", queue);
    }

    /** Why every agent's offer is declined for this app (Marathon's NoOfferMatchReason), empty when one fits. */
    private static List<String> declinedOffers(JsonNode app) {
        List<String> reasons = new ArrayList<>();
        if (app.path("cpus").asDouble(1) > AGENT_CPUS) {
            reasons.add("InsufficientCpus");
        }
        if (app.path("mem").asDouble(128) > AGENT_MEM) {
            reasons.add("InsufficientMemory");
        }
        return reasons;
    }

    // ---- groups

    private synchronized Reply group(String id) {
        String groupId = id.endsWith("/") && id.length() > 1 ? id.substring(0, id.length() - 1) : id;
        Set<String> known = new java.util.TreeSet<>();
        known.add("/");
        for (String app : apps.keySet()) {
            String g = app;
            while (g.lastIndexOf('/') > 0) {
                g = g.substring(0, g.lastIndexOf('/'));
                known.add(g);
            }
        }
        if (!known.contains(groupId)) {
            return error(404, "Group '" + groupId + "' does not exist");
        }
        return Reply.json(200, groupJson(groupId, known));
    }

    private ObjectNode groupJson(String id, Set<String> known) {
        ObjectNode g = JSON.createObjectNode().put("id", id);
        ArrayNode groupApps = g.putArray("apps");
        apps.forEach((appId, app) -> {
            if (parent(appId).equals(id)) {
                groupApps.add(app.deepCopy());
            }
        });
        ArrayNode groups = g.putArray("groups");
        for (String sub : known) {
            if (!sub.equals("/") && parent(sub).equals(id)) {
                groups.add(groupJson(sub, known));
            }
        }
        g.putArray("dependencies");
        g.put("version", Instant.now().toString());
        return g;
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    // ---- pods

    private Reply podResource(String method, String rest, Map<String, List<String>> q, String body, String ip) {
        boolean force = "true".equals(param(q, "force"));
        synchronized (this) {
            if (rest.equals("/::status")) {
                ArrayNode list = JSON.createArrayNode();
                pods.values().forEach(p -> list.add(podStatus(p)));
                return Reply.json(200, list);
            }
            if (rest.isEmpty() || rest.equals("/")) {
                if (method.equals("POST")) {
                    ObjectNode pod = (ObjectNode) JSON.readTree(body);
                    if (pods.containsKey(pod.path("id").asString()) || apps.containsKey(pod.path("id").asString())) {
                        return error(409, "Pod " + pod.path("id").asString() + " already exists");
                    }
                    startPodDeployment(pod, "StartPod", "pod_created_event", ip);
                    return Reply.json(201, pod);
                }
                ArrayNode list = JSON.createArrayNode();
                pods.values().forEach(list::add);
                return Reply.json(200, list);
            }
            int versionsAt = rest.indexOf("::versions");
            if (versionsAt > 0 && method.equals("GET")) {
                return podVersion(rest.substring(0, versionsAt), rest.substring(versionsAt + "::versions".length()));
            }
            boolean status = rest.endsWith("::status");
            String id = status ? rest.substring(0, rest.length() - "::status".length()) : rest;
            ObjectNode pod = pods.get(id);
            if (pod == null) {
                return error(404, "Pod '" + id + "' does not exist");
            }
            if (method.equals("GET")) {
                return Reply.json(200, status ? podStatus(pod) : pod);
            }
            Reply locked = lockedReply(id, force);
            if (locked != null) {
                return locked;
            }
            if (method.equals("PUT")) {
                ObjectNode next = (ObjectNode) JSON.readTree(body);
                next.put("id", id);
                startPodDeployment(next, "ScalePod", "pod_updated_event", ip);
                return Reply.json(200, next);
            }
            if (method.equals("DELETE")) {
                pods.remove(id);
                podVersions.remove(id);
                emit("pod_deleted_event", JSON.createObjectNode().put("clientIp", ip).put("uri", "/v2/pods" + id));
                return Reply.json(202, JSON.createObjectNode());
            }
            return error(405, "method not allowed");
        }
    }

    /**
     * {@code GET /v2/pods/{id}::versions} (a bare array of timestamps, RAML pods.raml: {@code string[]}; served
     * oldest first, as for apps) and {@code GET /v2/pods/{id}::versions/{version}} (the pod definition).
     */
    private Reply podVersion(String id, String rest) {
        List<ObjectNode> versions = podVersions.get(id);
        if (versions == null) {
            return error(404, "Pod '" + id + "' does not exist");
        }
        if (rest.isEmpty() || rest.equals("/")) {
            ArrayNode list = JSON.createArrayNode();
            versions.forEach(v -> list.add(v.path("version").asString()));
            return Reply.json(200, list);
        }
        ObjectNode found = versionOf(versions, rest.substring(1));
        return found == null ? error(404, "Pod '" + id + "' does not exist in version " + rest.substring(1))
                : Reply.json(200, found);
    }

    private void startPodDeployment(ObjectNode pod, String action, String event, String ip) {
        String id = pod.path("id").asString();
        pod.put("version", newVersion());
        podVersions.computeIfAbsent(id, k -> new ArrayList<>()).add(pod.deepCopy());
        Deployment d = new Deployment(UUID.randomUUID().toString(), Instant.now().toString(), action, List.of(),
                List.of(id));
        deployments.put(d.id(), d);
        pods.put(id, pod);
        emit(event, JSON.createObjectNode().put("clientIp", ip).put("uri", "/v2/pods" + id));
        emit("deployment_info", planEvent(d).set("currentStep", step(d)));
        scheduler.schedule(() -> {
            synchronized (this) {
                finishDeployment(d, true);
            }
        }, deploymentDelay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private ObjectNode podStatus(ObjectNode pod) {
        String id = pod.path("id").asString();
        boolean deploying = deployments.values().stream().anyMatch(d -> d.pods().contains(id));
        int instances = pod.path("scaling").path("instances").asInt(1);
        ObjectNode status = JSON.createObjectNode().put("id", id);
        status.set("spec", pod.deepCopy());
        status.put("status", deploying ? "DEGRADED" : "STABLE").put("statusSince", pod.path("version").asString());
        ArrayNode list = status.putArray("instances");
        if (!deploying) {
            for (int i = 0; i < instances; i++) {
                ObjectNode inst = list.addObject().put("id", id.substring(1).replace('/', '_') + ".instance-" + i)
                        .put("status", "STABLE").put("statusSince", pod.path("version").asString())
                        .put("agentHostname", "node-" + (i % agents + 1)).put("agentId", "agent-" + (i % agents + 1));
                ArrayNode containers = inst.putArray("containers");
                for (JsonNode c : pod.path("containers").values()) {
                    ObjectNode cs = containers.addObject().put("name", c.path("name").asString())
                            .put("status", "TASK_RUNNING");
                    ArrayNode eps = cs.putArray("endpoints");
                    for (JsonNode e : c.path("endpoints").values()) {
                        eps.addObject().put("name", e.path("name").asString()).put("allocatedHostPort", 32000 + i);
                    }
                }
            }
        }
        return status;
    }

    // ---- Mesos master and agent

    private ObjectNode slaves() {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode list = body.putArray("slaves");
        for (int i = 1; i <= agents; i++) {
            ObjectNode s = list.addObject().put("id", "agent-" + i).put("hostname", "node-" + i)
                    .put("port", port()).put("pid", "slave(1)@127.0.0.1:" + port()).put("active", true);
            s.putObject("resources").put("cpus", AGENT_CPUS).put("mem", AGENT_MEM).put("disk", 100000)
                    .put("ports", "[31000-32000]");
            s.putObject("attributes").put("zone", i % 2 == 0 ? "b" : "a");
        }
        return body;
    }

    /**
     * The master's {@code /master/tasks}: a task has no status update while staging; once running, its updates
     * carry the executor's container (the Mesos CLI's {@code get_container_id} reads it there).
     */
    private synchronized ObjectNode mesosTasks(String frameworkId, String taskId) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode list = body.putArray("tasks");
        if (frameworkId != null && !frameworkId.equals(FRAMEWORK_ID)) {
            return body;
        }
        tasks.values().stream().flatMap(List::stream).filter(t -> taskId == null || t.id.equals(taskId)).forEach(t -> {
            ObjectNode task = list.addObject().put("id", t.id).put("name", t.appId.substring(1).replace('/', '.'))
                    .put("framework_id", FRAMEWORK_ID).put("executor_id", "").put("slave_id", t.agent)
                    .put("state", t.state);
            ArrayNode statuses = task.putArray("statuses");
            if (t.startedAt != null) {
                for (String state : List.of("TASK_STARTING", t.state)) {
                    statuses.addObject().put("state", state)
                            .put("timestamp", t.startedAt.toEpochMilli() / 1000.0)
                            .putObject("container_status").putObject("container_id").put("value", t.containerId);
                }
            }
        });
        return body;
    }

    private synchronized Reply readFile(Map<String, List<String>> q) {
        String path = param(q, "path");
        String prefix = "/frameworks/" + FRAMEWORK_ID + "/executors/";
        if (path == null || !path.startsWith(prefix)) {
            return error(404, "no such file " + path);
        }
        String[] parts = path.substring(prefix.length()).split("/");
        if (parts.length != 4 || !parts[1].equals("runs") || !parts[2].equals("latest")) {
            return error(404, "no such file " + path);
        }
        Task task = tasks.values().stream().flatMap(List::stream).filter(t -> t.id.equals(parts[0])).findFirst()
                .orElse(null);
        if (task == null) {
            return error(404, "no such executor " + parts[0]);
        }
        byte[] content = (parts[3].equals("stdout") ? task.stdout : task.stderr).toString()
                .getBytes(StandardCharsets.UTF_8);
        long offset = Long.parseLong(param(q, "offset") == null ? "0" : param(q, "offset"));
        if (offset < 0) {
            return Reply.json(200, JSON.createObjectNode().put("data", "").put("offset", content.length));
        }
        long length = param(q, "length") == null ? content.length : Long.parseLong(param(q, "length"));
        int from = (int) Math.min(offset, content.length);
        int to = (int) Math.min(content.length, from + length);
        return Reply.json(200, JSON.createObjectNode()
                .put("data", new String(content, from, to - from, StandardCharsets.UTF_8)).put("offset", from));
    }

    // ---- event bus

    private void emit(String type, ObjectNode data) {
        data.put("eventType", type).put("timestamp", Instant.now().toString());
        String frame = "event: " + type + "\ndata: " + data + "\n\n";
        for (EventClient c : streams) {
            if (c.types().isEmpty() || c.types().contains(type)) {
                c.frames().add(frame);
            }
        }
    }

    private void events(HttpExchange ex, String query) throws IOException {
        String accept = ex.getRequestHeaders().getFirst("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            byte[] page = "<html><body>HTTP ERROR 405</body></html>".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(405, page.length);
            ex.getResponseBody().write(page);
            ex.close();
            return;
        }
        EventClient client = new EventClient(new LinkedBlockingQueue<>(),
                Set.copyOf(params(query).getOrDefault("event_type", List.of())));
        // subscribed before the client sees the answer: an event of any change made after that reaches it
        streams.add(client);
        String attached = "event: event_stream_attached\ndata: " + JSON.createObjectNode()
                .put("remoteAddress", ex.getRemoteAddress().getAddress().getHostAddress())
                .put("eventType", "event_stream_attached").put("timestamp", Instant.now().toString()) + "\n\n";
        try {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write(attached.getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (true) {
                String frame = client.frames().take();
                if (frame.equals(POISON)) {
                    break;
                }
                out.write(frame.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException | IOException e) {
            // the client went away or the server stops
        } finally {
            streams.remove(client);
            ex.close();
        }
    }
}
