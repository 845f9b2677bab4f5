package io.gantry.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loads N synthetic workloads into the real server jar (a separate JVM on embedded PostgreSQL,
 * as an operator runs it) through the real sync path, then measures the list API over HTTP.
 *
 * <p>Usage: {@code SyncBench <server jar> <bench jar> N [N...]}; see {@code bench/run.sh}.
 */
public final class SyncBench {
    private static final int WARMUP = 50;
    private static final int SAMPLES = 400;
    private static final Pattern NEXT_CURSOR = Pattern.compile("\"nextCursor\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern COUNT = Pattern.compile("\"workloadCount\"\\s*:\\s*(\\d+)");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String[]> rows = new ArrayList<>();
    private final String token = "bench-" + UUID.randomUUID();
    private final String adminPassword = UUID.randomUUID().toString();
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private String base;

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: SyncBench <server jar> <bench jar> N [N...]");
            System.exit(2);
        }
        SyncBench bench = new SyncBench();
        for (String n : Arrays.copyOfRange(args, 2, args.length)) {
            bench.run(Path.of(args[0]), Path.of(args[1]), Integer.parseInt(n));
        }
        bench.print();
    }

    private void run(Path serverJar, Path benchJar, int n) throws Exception {
        Path dataDir = Files.createTempDirectory("gantry-bench-");
        int port = freePort();
        base = "http://127.0.0.1:" + port;
        ProcessBuilder pb = new ProcessBuilder("java", "-cp", serverJar.toString(),
                "-Dloader.path=" + benchJar, "-Dloader.main=io.gantry.GantryApplication",
                "org.springframework.boot.loader.launch.PropertiesLauncher")
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("server.log").toFile());
        pb.environment().put("SERVER_PORT", Integer.toString(port));
        pb.environment().put("GANTRY_DATA_DIR", dataDir.toString());
        pb.environment().put("GANTRY_BOOTSTRAP_TOKEN", token);
        pb.environment().put("GANTRY_ADMIN_PASSWORD", adminPassword);
        pb.environment().put("GANTRY_EMBEDDED_AGENT", "false");
        Process server = pb.start();
        try {
            awaitHealthy(server, dataDir);
            measure(server, n);
        } finally {
            server.destroy();
            server.waitFor();
            deleteTree(dataDir);
        }
    }

    private void measure(Process server, int n) throws Exception {
        String engine = "synthetic-" + n;
        long t0 = System.nanoTime();
        String created = send("POST", "/api/v1/engines",
                "{\"name\":\"" + engine + "\",\"kind\":\"synthetic\",\"endpoint\":\"synthetic://" + n + "\"}");
        String engineId = first(ID, created);
        while (count(send("GET", "/api/v1/engines/" + engineId, null)) < n) {
            deadline(t0, n);
            Thread.sleep(20);
        }
        double wallSeconds = (System.nanoTime() - t0) / 1e9;
        // rows become visible batch by batch; the timer is recorded once the whole sync is done
        String syncTimer = "gantry_sync_duration_seconds_max{";
        String engineLabel = "engine=\"" + engine + "\"";
        while (!send("GET", "/actuator/prometheus", null).lines()
                .anyMatch(l -> l.startsWith(syncTimer) && l.contains(engineLabel))) {
            deadline(t0, n);
            Thread.sleep(50);
        }
        double syncSeconds = metric(send("GET", "/actuator/prometheus", null), syncTimer, engineLabel);
        row(n, "full sync (server-side timer)", String.format(Locale.ROOT, "%.2f s", syncSeconds),
                String.format(Locale.ROOT, "%,.0f upserts/s", n / syncSeconds));
        row(n, "register -> all listed (wall)", String.format(Locale.ROOT, "%.2f s", wallSeconds), "");

        String filter = "&engine=" + engine + "&namespace=ns-2&phase=RUNNING&label=tier%3Dweb";
        latency(n, "list limit=50, first page", "/api/v1/workloads?limit=50");
        latency(n, "list limit=50, first page, filtered", "/api/v1/workloads?limit=50" + filter);
        latency(n, "list limit=50, deep cursor page", deepPage("/api/v1/workloads?limit=50", n / 50 / 2));
        latency(n, "list limit=50, deep cursor page, filtered",
                deepPage("/api/v1/workloads?limit=50" + filter, n / 20 / 50 / 2));
        latency(n, "list limit=50, q=svc-4242 (name search)", "/api/v1/workloads?limit=50&q=svc-4242");
        pageLatency(n, "workloads page (HTML, 50 rows), first page", "/workloads");
        pageLatency(n, "workloads page (HTML, 50 rows), filtered", "/workloads?" + filter.substring(1));

        new ProcessBuilder("jcmd", Long.toString(server.pid()), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        double heap = sum(send("GET", "/actuator/prometheus", null), "jvm_memory_used_bytes{", "area=\"heap\"");
        row(n, "server heap after sync (after a GC)", String.format(Locale.ROOT, "%.0f MiB", heap / (1 << 20)), "");
    }

    private static void deadline(long t0, int n) {
        if (System.nanoTime() - t0 > Duration.ofMinutes(10).toNanos()) {
            throw new IllegalStateException("sync of " + n + " workloads did not finish in 10 minutes");
        }
    }

    /** Follows nextCursor {@code pages} times and returns the URL of that page. */
    private String deepPage(String first, int pages) throws Exception {
        String url = first;
        for (int i = 0; i < pages; i++) {
            String cursor = first(NEXT_CURSOR, send("GET", url, null));
            url = first + "&cursor=" + java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8);
        }
        return url;
    }

    private void latency(int n, String what, String url) throws Exception {
        for (int i = 0; i < WARMUP; i++) {
            send("GET", url, null);
        }
        long[] nanos = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            long t = System.nanoTime();
            send("GET", url, null);
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        row(n, what, String.format(Locale.ROOT, "p50 %.1f ms", nanos[SAMPLES / 2] / 1e6),
                String.format(Locale.ROOT, "p99 %.1f ms", nanos[SAMPLES * 99 / 100] / 1e6));
    }

    /**
     * Server render time of a dashboard page as a signed-in browser gets it: a session from the
     * login form (with its CSRF token), then the page's full HTML, timed like the API calls.
     */
    private void pageLatency(int n, String what, String path) throws Exception {
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager())
                .connectTimeout(Duration.ofSeconds(5)).build();
        String login = browser.send(HttpRequest.newBuilder(URI.create(base + "/login")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String form = "username=admin&password=" + adminPassword + "&_csrf=" + first(CSRF, login);
        HttpResponse<String> signedIn = browser.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", base)
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        String location = signedIn.headers().firstValue("Location").orElse("");
        if (signedIn.statusCode() != 302 || location.contains("error")) {
            throw new IllegalStateException("sign-in failed: " + signedIn.statusCode() + " " + location);
        }
        HttpRequest page = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).build();
        long[] nanos = new long[SAMPLES];
        for (int i = -WARMUP; i < SAMPLES; i++) {
            long t = System.nanoTime();
            HttpResponse<String> r = browser.send(page, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 || !r.body().contains("id=\"workloads\"")) {
                throw new IllegalStateException("GET " + path + " -> " + r.statusCode() + " without the table");
            }
            if (i >= 0) {
                nanos[i] = System.nanoTime() - t;
            }
        }
        Arrays.sort(nanos);
        row(n, what, String.format(Locale.ROOT, "p50 %.1f ms", nanos[SAMPLES / 2] / 1e6),
                String.format(Locale.ROOT, "p99 %.1f ms", nanos[SAMPLES * 99 / 100] / 1e6));
    }

    private String send(String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token);
        if (json != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " -> " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    private void awaitHealthy(Process server, Path dataDir) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("server exited; see " + dataDir.resolve("server.log"));
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
            Thread.sleep(200);
        }
        throw new IllegalStateException("server did not become healthy in 3 minutes");
    }

    private void row(int n, String what, String value, String extra) {
        rows.add(new String[] {String.format(Locale.ROOT, "%,d", n), what, value, extra});
        System.out.printf("%s  %s  %s  %s%n", rows.get(rows.size() - 1));
    }

    private void print() {
        System.out.printf("%nGantry sync and list benchmark (%d cores, %s, max heap of this client %d MiB)%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        String fmt = "| %9s | %-44s | %-12s | %-20s |%n";
        System.out.printf(fmt, "workloads", "measure", "value", "");
        System.out.printf(fmt, "---------", "-".repeat(44), "-".repeat(12), "-".repeat(20));
        rows.forEach(r -> System.out.printf(fmt, (Object[]) r));
    }

    private static String first(Pattern p, String body) {
        Matcher m = p.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no " + p + " in " + body.substring(0, Math.min(300, body.length())));
        }
        return m.group(1);
    }

    private static long count(String engineJson) {
        Matcher m = COUNT.matcher(engineJson);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static double metric(String prometheus, String prefix, String label) {
        return prometheus.lines().filter(l -> l.startsWith(prefix) && l.contains(label))
                .mapToDouble(SyncBench::value).max()
                .orElseThrow(() -> new IllegalStateException("no metric " + prefix + " " + label));
    }

    private static double sum(String prometheus, String prefix, String label) {
        return prometheus.lines().filter(l -> l.startsWith(prefix) && l.contains(label))
                .mapToDouble(SyncBench::value).sum();
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
