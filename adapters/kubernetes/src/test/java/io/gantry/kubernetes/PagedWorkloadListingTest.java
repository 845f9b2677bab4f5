package io.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSink;
import io.gantry.spi.WorkloadSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code listWorkloads(sink)} in pages. fabric8's CRUD mock ignores {@code limit}, so paging is served by a small
 * API server of the test's own that pages Deployments as the real one does ({@code limit}, {@code continue},
 * {@code remainingItemCount}, 410 for an expired token); the emulator checks the listing equals {@code listWorkloads()}.
 */
class PagedWorkloadListingTest {
    private static final int DEPLOYMENTS = 1203;
    @RegisterExtension
    static final EmulatedEngine engine = new EmulatedEngine();
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final AtomicBoolean expireOnce = new AtomicBoolean();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void pagesOf500AreHandedOverAsTheyArriveAfterTheExpectedTotal() throws IOException {
        Recorded recorded = listFromPagingServer();
        assertThat(recorded.expected).containsExactly((long) DEPLOYMENTS);
        assertThat(recorded.events.get(0)).as("expect comes before the first batch").isEqualTo("expect");
        assertThat(recorded.batchSizes).containsExactly(500, 500, 203);
        assertThat(recorded.ids).hasSize(DEPLOYMENTS).doesNotHaveDuplicates();
        assertThat(queries).filteredOn(q -> q.startsWith("/apis/apps/v1/deployments"))
                .allMatch(q -> q.contains("limit=500")).anyMatch(q -> q.contains("continue=1000"));
    }

    @Test
    void anExpiredContinueTokenRestartsTheListingOnceWithoutHandingAnythingTwice() throws IOException {
        expireOnce.set(true);
        Recorded recorded = listFromPagingServer();
        assertThat(recorded.ids).hasSize(DEPLOYMENTS).doesNotHaveDuplicates();
        assertThat(queries).filteredOn(q -> q.startsWith("/apis/apps/v1/deployments") && !q.contains("continue"))
                .as("listed from the start again after 410").hasSize(2);
    }

    @Test
    void aPagedListingEqualsListWorkloads() {
        EngineClient client = engine.client();
        for (String name : List.of("a", "b", "c")) {
            client.deploy(new WorkloadDefinition("paged", name, WorkloadKind.SERVICE, Map.of(), WorkloadSpec.of("nginx", 2)));
        }
        client.deploy(new WorkloadDefinition("paged", "s", WorkloadKind.STATEFUL, Map.of(), WorkloadSpec.of("redis", 1)));
        RecordingListener.await("all running", Duration.ofSeconds(15), () -> client.listWorkloads().stream()
                .filter(w -> w.namespace().equals("paged")).mapToInt(w -> w.instances().size()).sum() == 7);
        List<Workload> paged = new ArrayList<>();
        client.listWorkloads(new WorkloadSink() {
            @Override
            public void accept(List<Workload> batch) {
                paged.addAll(batch);
            }
        });
        Function<List<Workload>, Map<String, Object>> byId = ws -> ws.stream().collect(Collectors.toMap(Workload::nativeId,
                w -> List.of(w.spec(), w.instances().size(), w.labels())));
        assertThat(paged.stream().map(Workload::nativeId).toList()).doesNotHaveDuplicates();
        assertThat(byId.apply(paged)).isEqualTo(byId.apply(client.listWorkloads())).containsKey("paged/StatefulSet/s");
    }

    private record Recorded(List<Long> expected, List<Integer> batchSizes, List<String> ids, List<String> events) {
    }

    private Recorded listFromPagingServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::answer);
        server.start();
        EngineConnection connection = new EngineConnection(UUID.randomUUID(), "paging", "http://127.0.0.1:"
                + server.getAddress().getPort(), Map.of(), Map.of("token", "t"), Map.of(), Duration.ofSeconds(5));
        Recorded recorded = new Recorded(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        try (EngineClient client = new KubernetesEngineAdapter().connect(connection)) {
            client.listWorkloads(new WorkloadSink() {
                @Override
                public void expect(long total) {
                    recorded.expected.add(total);
                    recorded.events.add("expect");
                }

                @Override
                public void accept(List<Workload> batch) {
                    recorded.batchSizes.add(batch.size());
                    batch.forEach(w -> recorded.ids.add(w.nativeId()));
                    recorded.events.add("batch");
                }
            });
        }
        return recorded;
    }

    /** Deployments {@code d0000..}, paged by offset; every other collection empty. */
    private void answer(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String query = ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery();
        queries.add(path + "?" + query);
        if (path.equals("/version")) {
            respond(ex, 200, "{\"major\":\"1\",\"minor\":\"33\",\"gitVersion\":\"v1.33.0-paging\"}");
            return;
        }
        if (!path.equals("/apis/apps/v1/deployments")) {
            respond(ex, 200, "{\"kind\":\"List\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[]}");
            return;
        }
        Map<String, String> params = new java.util.HashMap<>();
        for (String p : query.split("&")) {
            String[] kv = p.split("=", 2);
            params.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        int offset = params.containsKey("continue") ? Integer.parseInt(params.get("continue")) : 0;
        if (offset > 0 && expireOnce.compareAndSet(true, false)) {
            respond(ex, 410, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Expired\","
                    + "\"message\":\"The provided continue parameter is too old\",\"code\":410}");
            return;
        }
        int limit = Integer.parseInt(params.getOrDefault("limit", String.valueOf(DEPLOYMENTS)));
        int end = Math.min(DEPLOYMENTS, offset + limit);
        StringBuilder items = new StringBuilder();
        for (int i = offset; i < end; i++) {
            String name = String.format("d%04d", i);
            items.append(i == offset ? "" : ",").append("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{")
                    .append("\"name\":\"").append(name).append("\",\"namespace\":\"bulk\",\"uid\":\"u").append(i)
                    .append("\",\"resourceVersion\":\"").append(i + 1).append("\"},\"spec\":{\"replicas\":1,")
                    .append("\"selector\":{\"matchLabels\":{\"app\":\"").append(name).append("\"}},\"template\":{")
                    .append("\"metadata\":{\"labels\":{\"app\":\"").append(name).append("\"}},\"spec\":{\"containers\":[")
                    .append("{\"name\":\"c\",\"image\":\"nginx\"}]}}}}");
        }
        String meta = end < DEPLOYMENTS ? "\"continue\":\"" + end + "\",\"remainingItemCount\":" + (DEPLOYMENTS - end) : "";
        respond(ex, 200, "{\"kind\":\"DeploymentList\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"resourceVersion\":\"9\""
                + (meta.isEmpty() ? "" : "," + meta) + "},\"items\":[" + items + "]}");
    }

    private static void respond(HttpExchange ex, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
