package io.gantry.marathon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.Phase;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadSink;
import io.gantry.spi.json.Json;
import tools.jackson.databind.JsonNode;

/**
 * Issue 22, "a big engine is not a down engine": {@code GET /v2/apps} is read as a stream and handed over in
 * batches, with a deadline on silence instead of on the whole answer.
 */
class MarathonBigListingTest {
    private MarathonTestServer server;

    @BeforeEach
    void start() {
        server = MarathonTestServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private EngineClient client(Duration callTimeout) {
        return new MarathonEngineAdapter().connect(new EngineConnection(UUID.randomUUID(), "big", server.url(), null,
                null, Map.of("mesosUrl", server.url()), callTimeout));
    }

    /** Counts what it is handed, keeping only ids, and notes whether the server had finished the first time. */
    private static final class CountingSink implements WorkloadSink {
        final GeneratedApps body;
        final Set<String> ids = new HashSet<>();
        final List<Integer> sizes = new ArrayList<>();
        final List<Long> at = new ArrayList<>();
        Boolean bodyFinishedAtFirstBatch;
        Workload first;

        CountingSink(GeneratedApps body) {
            this.body = body;
        }

        @Override
        public void accept(List<Workload> batch) {
            if (bodyFinishedAtFirstBatch == null) {
                bodyFinishedAtFirstBatch = body.finished();
                first = batch.get(0);
            }
            sizes.add(batch.size());
            at.add(System.nanoTime());
            batch.forEach(w -> ids.add(w.nativeId()));
        }
    }

    @Test
    void aHundredThousandAppsAreHandedOverInBatchesWhileTheBodyStillArrives() {
        GeneratedApps apps = new GeneratedApps(100_000);
        server.appList(apps);
        CountingSink sink = new CountingSink(apps);
        try (EngineClient client = client(Duration.ofSeconds(3))) {
            long start = System.nanoTime();
            client.listWorkloads(sink);
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            System.out.printf("%n| cores | apps | answer (MB) | batches | list through the sink (ms) | target (ms) |%n"
                    + "|------:|-----:|------------:|--------:|---------------------------:|------------:|%n"
                    + "| %5d | %d | %11d | %7d | %26d | %11d |%n", Runtime.getRuntime().availableProcessors(),
                    sink.ids.size(), 100_000L * GeneratedApps.app(50_000).length() / 1_000_000, sink.sizes.size(),
                    millis, 15_000);
            assertThat(millis).as("listing 100,000 apps").isLessThan(60_000);
        }
        assertThat(sink.ids).hasSize(100_000).contains("/gen/group-99/app-99999", "/gen/group-0/app-0");
        assertThat(sink.sizes).allSatisfy(n -> assertThat(n).isBetween(1, 1000));
        assertThat(sink.sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(100_000);
        assertThat(sink.sizes.size()).isGreaterThanOrEqualTo(100);
        assertThat(sink.bodyFinishedAtFirstBatch).as("the body had ended when the first batch came").isFalse();
        assertThat(sink.first.status().phase()).isEqualTo(Phase.RUNNING);
        assertThat(sink.first.spec().image()).isEqualTo("nginx:1.27");
        assertThat(sink.first.instances()).hasSize(1);
    }

    @Test
    void anAnswerLongerThanTheCallTimeoutWhoseBytesKeepComingIsReadToItsEnd() {
        // 40 pauses of 100 ms: 4 s of body against a call timeout of 1 s
        GeneratedApps apps = new GeneratedApps(4_000).trickle(100, Duration.ofMillis(100));
        server.appList(apps);
        CountingSink sink = new CountingSink(apps);
        Duration callTimeout = Duration.ofSeconds(1);
        try (EngineClient client = client(callTimeout)) {
            long start = System.nanoTime();
            client.listWorkloads(sink);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(callTimeout.multipliedBy(3));
        }
        assertThat(sink.ids).hasSize(4_000);
        assertThat(sink.bodyFinishedAtFirstBatch).isFalse();
        // a batch at least every half call timeout while the listing makes progress (spi), with slack for the pace
        for (int i = 1; i < sink.at.size(); i++) {
            assertThat(Duration.ofNanos(sink.at.get(i) - sink.at.get(i - 1))).isLessThan(callTimeout);
        }
    }

    @Test
    void anAnswerThatGoesSilentMidwayIsUnavailableWithinAboutTheCallTimeout() {
        GeneratedApps apps = new GeneratedApps(10_000).stallAfter(3_000);
        server.appList(apps);
        CountingSink sink = new CountingSink(apps);
        Duration callTimeout = Duration.ofSeconds(1);
        try (EngineClient client = client(callTimeout)) {
            assertThatThrownBy(() -> client.listWorkloads(sink)).isInstanceOf(EngineUnavailableException.class)
                    .hasMessageContaining("call timeout of 1000 ms").hasMessageContaining("/v2/apps")
                    .hasMessageNotContaining("nginx");
            // from the server's last byte: the client may still have been mapping what had arrived before
            Duration silence = Duration.ofNanos(System.nanoTime() - apps.stalledAt());
            assertThat(silence).isGreaterThanOrEqualTo(callTimeout).isLessThan(callTimeout.multipliedBy(3));
        }
        assertThat(sink.ids.size()).as("apps handed over before the silence").isBetween(2_500, 3_000);
    }

    @Test
    void whatTheSinkThrowsStopsTheListingAndComesOutAsItWas() {
        GeneratedApps apps = new GeneratedApps(20_000);
        server.appList(apps);
        IllegalStateException full = new IllegalStateException("sink full");
        try (EngineClient client = client(Duration.ofSeconds(3))) {
            assertThatThrownBy(() -> client.listWorkloads(batch -> {
                throw full;
            })).isSameAs(full);
        }
        assertThat(apps.finished()).as("the rest of the body was not read").isFalse();
    }

    /** A refusal of the streamed call is the port's exception, as for the other calls; its body is never quoted whole. */
    @Test
    void aRefusedListingIsForbiddenAndAnHtmlPageIsNotQuoted() throws Exception {
        com.sun.net.httpserver.HttpServer marathon = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        String[] appsAnswer = {"403", "{\"message\": \"Not Authorized to perform this action!\"}"};
        marathon.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            int status = path.equals("/v2/apps") ? Integer.parseInt(appsAnswer[0]) : 200;
            byte[] body = (path.equals("/v2/apps") ? appsAnswer[1] : path.equals("/v2/queue") ? "{\"queue\": []}"
                    : "[]").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        marathon.start();
        try (EngineClient client = new MarathonEngineAdapter().connect(new EngineConnection(UUID.randomUUID(), "refusing",
                "http://127.0.0.1:" + marathon.getAddress().getPort(), null, null, null, Duration.ofSeconds(3)))) {
            assertThatThrownBy(client::listWorkloads).isInstanceOf(io.gantry.spi.EngineForbiddenException.class)
                    .hasMessageContaining("Not Authorized");
            appsAnswer[0] = "502";
            appsAnswer[1] = "<html>" + "TOP-SECRET-MARKER ".repeat(10_000) + "</html>";
            assertThatThrownBy(client::listWorkloads).isInstanceOf(EngineUnavailableException.class)
                    .hasMessage("Marathon answered HTTP 502 for apps");
            appsAnswer[0] = "200";
            appsAnswer[1] = "{\"apps\": [{\"id\": \"/a\"}, TOP-SECRET-MARKER]}";
            assertThatThrownBy(client::listWorkloads).isInstanceOf(EngineUnavailableException.class)
                    .hasMessageContaining("not JSON").message().doesNotContain("TOP-SECRET-MARKER");
        } finally {
            marathon.stop(0);
        }
    }

    /** Every fixture that is a {@code GET /v2/apps} answer lists the same through the stream as mapped as a tree. */
    @Test
    void theStreamedListingEqualsTheTreeMappingOnEveryAppListFixture() throws IOException {
        List<Path> lists = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MarathonTestServer.fixtures())) {
            files.filter(f -> f.toString().endsWith(".json")).sorted().forEach(f -> {
                JsonNode body = read(f);
                if (body.path("apps").isArray() && !body.path("apps").isEmpty()) {
                    lists.add(f);
                }
            });
        }
        assertThat(lists).hasSizeGreaterThanOrEqualTo(5);
        try (EngineClient client = client(Duration.ofSeconds(3))) {
            Integer nodes = ((MarathonEngineClient) client).nodeCount();
            for (Path list : lists) {
                byte[] bytes = Files.readAllBytes(list);
                server.appList(out -> out.write(bytes));
                List<Workload> asTrees = read(list).path("apps").values().stream()
                        .map(app -> MarathonAppReader.app(app, MarathonProgress.NONE, nodes)).toList();
                List<Workload> streamed = new ArrayList<>();
                client.listWorkloads(streamed::addAll);
                assertThat(streamed).as(list.toString()).isEqualTo(asTrees);
                assertThat(client.listWorkloads()).as(list.toString()).isEqualTo(asTrees);
            }
        }
    }

    private static JsonNode read(Path file) {
        try {
            return Json.parse(Files.readString(file));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
