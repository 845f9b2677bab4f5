package io.gantry.bench;

import java.io.IOException;
import java.net.CookieManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The real server jar in a JVM of its own, on a fresh embedded PostgreSQL in a temporary data directory, as an
 * operator runs it; calls go over HTTP with a bootstrap admin token. Closing it stops the server and removes
 * the directory; its log is a temporary file of its own that is kept, so that a failure can be read after the run.
 */
final class GantryServer implements AutoCloseable {
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    /** The server's log line naming its embedded PostgreSQL's port (older servers wrote "on port N"). */
    private static final Pattern EMBEDDED_PORT = Pattern.compile("Started embedded PostgreSQL on (?:port |127\\.0\\.0\\.1:)(\\d+)");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String token;
    private final String adminPassword = UUID.randomUUID().toString();
    private final Path dataDir;
    private final Path log;
    private final String base;
    private final List<String> command = new ArrayList<>();
    private final Map<String, String> env = new HashMap<>();
    private Process process;

    /** @param loaderPath a jar added to the server's classpath (e.g. an extra adapter), or {@code null} */
    static GantryServer start(Path serverJar, Path loaderPath) throws Exception {
        return new GantryServer(serverJar, loaderPath, "bench-" + UUID.randomUUID(), Map.of());
    }

    /**
     * As {@link #start(Path, Path)}, with {@code env} added to the server's environment (settings such as
     * {@code GANTRY_EMBEDDED_AGENT=true} or {@code GANTRY_STREAMS_PERUSER}).
     */
    static GantryServer start(Path serverJar, Path loaderPath, Map<String, String> env) throws Exception {
        return new GantryServer(serverJar, loaderPath, "bench-" + UUID.randomUUID(), env);
    }

    /**
     * Another replica on the database of {@code first} (its embedded PostgreSQL), with the same key and
     * admin token.
     */
    static GantryServer replicaOf(GantryServer first, Path serverJar, Path loaderPath) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "GANTRY_DB_URL", first.embeddedDatabaseUrl(), "GANTRY_DB_USER", "postgres",
                "GANTRY_SECRET_KEY", Files.readString(first.dataDir.resolve("secret.key")).trim()));
        // the embedded PostgreSQL's superuser has a password in this file (servers before it trusted local logins)
        Path password = first.dataDir.resolve("postgres.password");
        if (Files.exists(password)) {
            env.put("GANTRY_DB_PASSWORD", Files.readString(password).trim());
        }
        return new GantryServer(serverJar, loaderPath, first.token, env);
    }

    private GantryServer(Path serverJar, Path loaderPath, String token, Map<String, String> env) throws Exception {
        this.token = token;
        dataDir = Files.createTempDirectory("gantry-bench-");
        log = Files.createTempFile("gantry-bench-server-", ".log");
        int port = freePort();
        base = "http://127.0.0.1:" + port;
        command.add("java");
        // the server's JVM options as installed (bench/scale/run.sh passes scripts/run's defaults); none by default
        String javaOpts = System.getProperty("bench.serverJavaOpts", "").trim();
        if (!javaOpts.isEmpty()) {
            command.addAll(List.of(javaOpts.split("\\s+")));
        }
        // scripts/run's extracted layout and class data sharing archive, when bench/scale/run.sh had them made: the
        // server starts as a user's does, the bench's adapter jar after the layout's class path (the archive holds
        // for a class path that begins with the one it was made with)
        String runDir = System.getProperty("bench.serverRunDir", "").trim();
        Path extracted = runDir.isEmpty() ? null : Path.of(runDir).resolve(serverJar.getFileName());
        Path archive = runDir.isEmpty() ? null : Path.of(runDir).resolve("gantry.jsa");
        if (extracted != null && Files.isRegularFile(extracted) && Files.isRegularFile(archive)) {
            command.add("-XX:SharedArchiveFile=" + archive);
            command.addAll(List.of("-cp", loaderPath == null ? extracted.toString() : extracted + ":" + loaderPath,
                    "io.gantry.GantryApplication"));
        } else {
            command.addAll(List.of("-cp", serverJar.toString()));
            if (loaderPath != null) {
                command.add("-Dloader.path=" + loaderPath);
            }
            command.addAll(List.of("-Dloader.main=io.gantry.GantryApplication",
                    "org.springframework.boot.loader.launch.PropertiesLauncher"));
        }
        this.env.put("SERVER_PORT", Integer.toString(port));
        this.env.put("GANTRY_DATA_DIR", dataDir.toString());
        this.env.put("GANTRY_BOOTSTRAP_TOKEN", token);
        this.env.put("GANTRY_ADMIN_PASSWORD", adminPassword);
        this.env.put("GANTRY_EMBEDDED_AGENT", "false");
        this.env.putAll(env);
        launch();
    }

    private void launch() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        process = pb.start();
        try {
            awaitHealthy();
        } catch (Exception e) {
            close();
            throw new IllegalStateException(e.getMessage() + "; " + logTail(25), e);
        }
    }

    /**
     * Stops the server (as an operator's SIGTERM does) and starts it again on the same data directory, port and
     * database: a warm start (the embedded PostgreSQL's data exists, the jar is in the page cache).
     *
     * @return nanoseconds from the new process's start to its first healthy answer
     */
    long restart() throws Exception {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        long t0 = System.nanoTime();
        launch();
        return System.nanoTime() - t0;
    }

    /** The server JVM's resident set size in bytes ({@code VmRSS} of /proc), without its child processes. */
    long rssBytes() throws IOException {
        return Rss.of(process.pid());
    }

    /**
     * The memory of the embedded PostgreSQL this server runs (its postmaster, found by the port in the server's log,
     * and every backend), as the sum of their proportional set sizes; 0 when it is not found.
     */
    long postgresBytes() throws IOException {
        String last = embeddedPort();
        if (last == null) {
            return 0;
        }
        String flag = "\0-p\0" + last + "\0";
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().orElse("").endsWith("/bin/postgres") && cmdline(p.pid()).contains(flag))
                .flatMap(p -> Stream.concat(Stream.of(p), p.descendants()))
                .mapToLong(p -> {
                    try {
                        return Rss.proportional(p.pid());
                    } catch (IOException gone) {
                        return 0;
                    }
                }).sum();
    }

    /** The port of the embedded PostgreSQL the server started last (a restart may get another), or null. */
    private String embeddedPort() throws IOException {
        Matcher port = EMBEDDED_PORT.matcher(Files.readString(log));
        String last = null;
        while (port.find()) {
            last = port.group(1);
        }
        return last;
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"))) + "\0";
        } catch (IOException gone) {
            return "";
        }
    }

    /** The JDBC URL of the embedded PostgreSQL this server started, read from its log. */
    private String embeddedDatabaseUrl() throws IOException {
        String port = embeddedPort();
        if (port == null) {
            throw new IllegalStateException("no embedded PostgreSQL in " + log);
        }
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** The server's log (kept after {@link #close}). */
    Path log() {
        return log;
    }

    /** The last {@code lines} lines of the server's log, headed by its path, for a failure's message. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return "the server's log " + log + " ended:\n"
                    + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException unreadable) {
            return "the server's log " + log + " is unreadable: " + unreadable;
        }
    }

    /** The server's embedded PostgreSQL, for SQL the bench runs itself (see {@link Psql}). */
    Psql database() throws IOException {
        String port = embeddedPort();
        if (port == null) {
            throw new IllegalStateException("no embedded PostgreSQL in " + log);
        }
        Path password = dataDir.resolve("postgres.password");
        return new Psql(port, Files.exists(password) ? Files.readString(password).trim() : null);
    }

    long pid() {
        return process.pid();
    }

    /** Sends a call with the admin token; a status of 300 or more throws. */
    String send(String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token);
        if (json != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 500) {
            // the answer says only "500"; the exception behind it is in the server's log
            throw new IllegalStateException(method + " " + path + " -> " + r.statusCode() + ": " + r.body() + "; "
                    + logTail(60));
        }
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " -> " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /**
     * Registers an engine and waits until the server lists {@code workloads} of it (its first sync is done).
     *
     * @return the engine's id
     */
    String registerEngine(String json, long workloads, Duration timeout) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        String engineId = JsonField.text("id", send("POST", "/api/v1/engines", json));
        while (JsonField.number("workloadCount", send("GET", "/api/v1/engines/" + engineId, null)) < workloads) {
            if (System.nanoTime() - t0 > timeout.toNanos()) {
                throw new IllegalStateException("the engine did not list " + workloads + " workloads within " + timeout);
            }
            Thread.sleep(20);
        }
        return engineId;
    }

    /** Follows {@code nextCursor} {@code pages} times from {@code first} and returns the URL of that page. */
    String cursorPage(String first, int pages) throws IOException, InterruptedException {
        String url = first;
        for (int i = 0; i < pages; i++) {
            String cursor = JsonField.text("nextCursor", send("GET", url, null));
            url = first + "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8);
        }
        return url;
    }

    /** An open {@code GET /api/v1/stream} request with the admin token, its lines handed to {@code lines}. */
    CompletableFuture<HttpResponse<Void>> stream(HttpClient client, Flow.Subscriber<String> lines) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/v1/stream"))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.fromLineSubscriber(lines));
    }

    /** Signs in as admin through the login form (session cookie and CSRF token), as a browser does. */
    Browser signIn() throws IOException, InterruptedException {
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .connectTimeout(Duration.ofSeconds(5)).build();
        String login = browser.send(HttpRequest.newBuilder(URI.create(base + "/login")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String form = "username=admin&password=" + adminPassword + "&_csrf=" + JsonField.first(CSRF, login);
        HttpResponse<String> signedIn = browser.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", base)
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        String location = signedIn.headers().firstValue("Location").orElse("");
        if (signedIn.statusCode() != 302 || location.contains("error")) {
            throw new IllegalStateException("sign-in failed: " + signedIn.statusCode() + " " + location);
        }
        return new Browser(browser);
    }

    /** A signed-in browser session: its cookie rides on every page it gets. */
    final class Browser {
        private final HttpClient client;

        private Browser(HttpClient client) {
            this.client = client;
        }

        /** The page's HTML; a status other than 200 throws. */
        String page(String path) throws IOException, InterruptedException {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + " -> " + r.statusCode());
            }
            return r.body();
        }

        /** The workloads page's HTML; one without the workloads table throws. */
        String workloadsPage(String path) throws IOException, InterruptedException {
            String html = page(path);
            if (!html.contains("id=\"workloads\"")) {
                throw new IllegalStateException("GET " + path + " answered without the workloads table");
            }
            return html;
        }
    }

    /** Waits until operation {@code id} has SUCCEEDED and returns it; another end state or the timeout throws. */
    String awaitOperation(String id, Duration timeout) throws IOException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            String body = send("GET", "/api/v1/operations/" + id, null);
            String state = JsonField.text("state", body);
            if (state.equals("SUCCEEDED")) {
                return body;
            }
            if (!state.equals("PENDING") && !state.equals("RUNNING")) {
                throw new IllegalStateException("operation " + id + " ended " + state + ": " + body);
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("operation " + id + " did not end within " + timeout);
    }

    /** The largest value of the Prometheus samples named {@code prefix...} that carry {@code label}. */
    double metricMax(String prefix, String label) throws IOException, InterruptedException {
        return samples(prefix, label).stream().mapToDouble(Double::doubleValue).max()
                .orElseThrow(() -> new IllegalStateException("no metric " + prefix + " " + label));
    }

    /** The sum of the Prometheus samples named {@code prefix...} that carry {@code label} (0 when none). */
    double metricSum(String prefix, String label) throws IOException, InterruptedException {
        return samples(prefix, label).stream().mapToDouble(Double::doubleValue).sum();
    }

    boolean hasMetric(String prefix, String label) throws IOException, InterruptedException {
        return !samples(prefix, label).isEmpty();
    }

    private List<Double> samples(String prefix, String label) throws IOException, InterruptedException {
        return send("GET", "/actuator/prometheus", null).lines().filter(l -> l.startsWith(prefix) && l.contains(label))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).toList();
    }

    private void awaitHealthy() throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited; see " + log);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // the server is still starting
            }
            // a short pause: the time to healthy of a warm start is measured by this loop
            Thread.sleep(50);
        }
        throw new IllegalStateException("server did not become healthy in 3 minutes");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        process.waitFor();
        try (Stream<Path> paths = Files.walk(dataDir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
