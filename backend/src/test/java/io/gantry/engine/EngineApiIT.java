package io.gantry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import io.gantry.marathon.MarathonTestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

class EngineApiIT extends IntegrationTest {
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    EngineStore store;
    @Autowired
    ApplicationEventPublisher events;

    @Test
    void registersAnEngineWithEncryptedWriteOnlyCredentials() {
        Api api = api();
        Api.Response created = api.post("/api/v1/engines", Map.of("name", "reg-1", "kind", "test",
                "endpoint", "test://reg-1", "labels", Map.of("env", "prod"),
                "credentials", Map.of("token", "s3cr3t-token-value")));

        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("id").asString();
        assertThat(created.location()).isEqualTo("/api/v1/engines/" + id);
        assertThat(created.body()).doesNotContain("s3cr3t-token-value").doesNotContain("credentials");

        JsonNode engine = Engines.awaitStatus(api, id, "UP");
        assertThat(engine.get("kind").asString()).isEqualTo("test");
        assertThat(engine.get("labels").get("env").asString()).isEqualTo("prod");
        assertThat(engine.get("syncOwner").asString()).isNotBlank();
        assertThat(engine.get("capabilities").toString()).contains("\"scale\"");
        assertThat(api.get("/api/v1/engines/reg-1").json().get("id").asString()).as("by name").isEqualTo(id);
        assertThat(api.get("/api/v1/engines").body()).contains("reg-1").doesNotContain("s3cr3t-token-value");

        // the adapter got the decrypted credentials; the store holds only ciphertext
        assertThat(FakeEngine.named("reg-1").lastConnection().credential("token")).isEqualTo("s3cr3t-token-value");
        byte[] stored = jdbc.queryForObject("SELECT credentials FROM engines WHERE name = 'reg-1'", byte[].class);
        assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("s3cr3t");
    }

    @Test
    void listsNodesAndUpdatesAndDeletes() {
        Api api = api();
        String id = Engines.register(api, "reg-2", Map.of("token", "t"));
        assertThat(api.get("/api/v1/engines/" + id + "/nodes").json().get("items").get(0).get("name").asString())
                .isEqualTo("node-1");

        Api.Response updated = api.put("/api/v1/engines/" + id, Map.of("name", "reg-2b", "kind", "test",
                "endpoint", "test://reg-2"));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.json().get("name").asString()).isEqualTo("reg-2b");
        assertThat(FakeEngine.named("reg-2").lastConnection()).isNotNull();

        assertThat(api.delete("/api/v1/engines/" + id).status()).isEqualTo(204);
        Api.Response gone = api.get("/api/v1/engines/" + id);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.contentType()).startsWith("application/problem+json");
    }

    @Test
    void unknownKindIsA400NamingKind() {
        Api.Response r = api().post("/api/v1/engines", Map.of("name", "bad-kind", "kind", "nomad",
                "endpoint", "http://x"));
        assertProblem(r, 400, "kind");
    }

    @Test
    void malformedEndpointIsA400NamingEndpointFromTheAdapter() {
        Api.Response r = api().post("/api/v1/engines", Map.of("name", "bad-endpoint", "kind", "test",
                "endpoint", "http://not-a-test-endpoint"));
        assertProblem(r, 400, "endpoint");
    }

    @Test
    void anEndpointWithAPasswordIsRefusedSoItCannotLeak() {
        Api.Response r = api().post("/api/v1/engines", Map.of("name", "userinfo", "kind", "test",
                "endpoint", "https://admin:hunter2@10.0.0.1:6443"));
        assertProblem(r, 400, "endpoint");
        assertThat(r.body()).doesNotContain("hunter2");
    }

    @Test
    void aBadCallTimeoutOptionIsA400NamingIt() {
        Api.Response r = api().post("/api/v1/engines", Map.of("name", "bad-timeout", "kind", "test",
                "endpoint", "test://bad-timeout", "options", Map.of("callTimeout", "soon")));
        assertProblem(r, 400, "options.callTimeout");
    }

    @Test
    void missingFieldsAreA400WithFieldErrors() {
        Api.Response r = api().post("/api/v1/engines", Map.of("kind", "test"));
        assertProblem(r, 400, "name");
        assertThat(r.json().get("errors").toString()).contains("endpoint");
    }

    @Test
    void duplicateNameIsA409() {
        Api api = api();
        Engines.register(api, "reg-dup", Map.of());
        Api.Response r = api.post("/api/v1/engines", Map.of("name", "reg-dup", "kind", "test",
                "endpoint", "test://reg-dup"));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.contentType()).startsWith("application/problem+json");
    }

    @Test
    void malformedJsonIsA400() {
        Api.Response r = api().post("/api/v1/engines", "{\"name\": ");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("title").asString()).isNotBlank();
        assertThat(r.body()).doesNotContain("at io.gantry").doesNotContain("Exception");
    }

    @Test
    void oversizedBodyIsA413() {
        String big = "{\"name\":\"" + "x".repeat(1_100_000) + "\"}";
        Api.Response r = api().post("/api/v1/engines", big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("status").asInt()).isEqualTo(413);
    }

    @Test
    void anUnknownApiRouteIsA404Problem() {
        Api.Response r = api().get("/api/v1/no-such-thing");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asString()).contains("/api/v1/no-such-thing");
    }

    @Test
    void healthNamesEveryEngineAndThisReplica() {
        Api api = api();
        String id = Engines.register(api, "reg-health", Map.of());
        Engines.awaitStatus(api, id, "UP");
        JsonNode health = api.get("/api/v1/health").json();
        assertThat(health.get("status").asString()).isEqualTo("UP");
        assertThat(health.get("replica").asString()).isNotBlank();
        assertThat(health.get("engines").get("reg-health").asString()).isEqualTo("UP");
    }

    /**
     * client-java would read the named file on the server and send it to the kubeconfig's server: the
     * registration (and its test) is refused before anything connects there.
     */
    @Test
    void aKubeconfigNamingServerFilesIsRefusedAndItsServerNeverContacted(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("token"), "server-side-secret-token");
        try (CaptureServer capture = new CaptureServer()) {
            // {cluster's extra keys, user, the refusal}
            List<List<String>> refusals = List.of(
                    List.of("", "{tokenFile: " + secret + "}", "users[0].user.tokenFile is a file reference; inline it as token"),
                    List.of("", "{client-certificate-data: Y2VydA==, client-key: " + secret + "}",
                            "users[0].user.client-key is a file reference; inline it as client-key-data"),
                    List.of(", certificate-authority: " + secret, "{token: inline}",
                            "clusters[0].cluster.certificate-authority is a file reference"));
            for (List<String> refusal : refusals) {
                Map<String, Object> request = kubeconfigEngine("file-ref", capture.url(), refusal.get(0),
                        refusal.get(1));
                for (String path : List.of("/api/v1/engines", "/api/v1/engines/test")) {
                    Api.Response r = api().post(path, request);
                    assertProblem(r, 400, "credentials.kubeconfig");
                    assertThat(r.json().get("errors").get(0).get("message").asString()).as(path).startsWith(refusal.get(2));
                    assertThat(r.body()).doesNotContain("server-side-secret-token");
                }
            }
            assertThat(api().get("/api/v1/engines").body()).doesNotContain("file-ref-");
            assertThat(capture.connections()).as("connections to the kubeconfig's server").isZero();

            // the capture does see a kubeconfig that may connect: the zero above is not for want of trying
            Api.Response tested = api().post("/api/v1/engines/test",
                    kubeconfigEngine("file-ref-inline", capture.url(), "{token: inline}"));
            assertThat(tested.json().get("ok").asBoolean()).as(tested.toString()).isFalse();
            assertThat(capture.connections()).as(tested.toString()).isPositive();
        }
    }

    @Test
    void aNewEndpointNeedsTheCredentialsAgain() {
        Api api = api();
        String id = Engines.register(api, "moving", Map.of("token", "given-for-the-first"));

        Api.Response moved = api.put("/api/v1/engines/" + id, Map.of("name", "moving", "kind", "test",
                "endpoint", "test://moved"));
        assertProblem(moved, 400, "credentials");
        assertThat(api.get("/api/v1/engines/" + id).json().get("endpoint").asString()).isEqualTo("test://moving");
        assertThat(FakeEngine.named("moved").lastConnection()).isNull();

        Api.Response renamed = api.put("/api/v1/engines/" + id, Map.of("name", "moving-renamed", "kind", "test",
                "endpoint", "test://moving"));
        assertThat(renamed.status()).as("same endpoint: the stored credentials stay").isEqualTo(200);

        Api.Response withCredentials = api.put("/api/v1/engines/" + id, Map.of("name", "moving", "kind", "test",
                "endpoint", "test://moved", "credentials", Map.of("token", "given-for-the-second")));
        assertThat(withCredentials.status()).as(withCredentials.toString()).isEqualTo(200);
        Engines.awaitStatus(api, id, "UP");
        assertThat(FakeEngine.named("moved").lastConnection().credential("token")).isEqualTo("given-for-the-second");
    }

    @Test
    void aMetadataAddressIsRefusedAsEndpoint() {
        Map<String, Object> kubernetes = Map.of("name", "metadata-k8s", "kind", "kubernetes",
                "endpoint", "https://169.254.169.254:6443", "credentials", Map.of("token", "t"));
        Map<String, Object> marathon = Map.of("name", "metadata-marathon", "kind", "marathon",
                "endpoint", "http://127.0.0.1:8080", "options", Map.of("mesosUrl", "http://169.254.169.254"));
        Map<String, Object> kubeconfig = kubeconfigEngine("metadata-kubeconfig", "https://169.254.169.254", "{token: t}");
        for (Map<String, Object> request : List.of(kubernetes, marathon, kubeconfig)) {
            for (String path : List.of("/api/v1/engines", "/api/v1/engines/test")) {
                Api.Response r = api().post(path, request);
                assertProblem(r, 400, "endpoint");
                assertThat(r.json().get("errors").get(0).get("message").asString())
                        .contains("169.254.169.254", "denied address");
            }
        }
        assertThat(api().get("/api/v1/engines").body()).doesNotContain("metadata-");
    }

    /** A name that comes to resolve there is caught when the sync connects: stored directly, as if DNS had changed. */
    @Test
    void anEngineWhoseEndpointResolvesToADeniedAddressGoesDownWithoutConnecting() {
        Engine engine = new Engine(UUID.randomUUID(), "denied-later", "marathon", "http://169.254.169.254:8080",
                Map.of(), Map.of(), EngineStatus.UNKNOWN, "", null, null);
        store.insert(engine, Map.of("token", "t"));
        events.publishEvent(new EngineSaved(engine.id()));

        JsonNode down = Engines.awaitStatus(api(), engine.id().toString(), "DOWN");
        assertThat(down.get("message").asString()).contains("endpoint resolves to a denied address", "169.254.169.254");
    }

    /** Whatever answers at an engine's endpoint chooses its error body: only a short reason of it is shown. */
    @Test
    void anEnginesErrorPageIsNotEchoed() {
        MarathonTestServer marathon = MarathonTestServer.start();
        try {
            String page = "<!DOCTYPE html><html><body><h1>502</h1>"
                    + "<p>session=AKIA-LEAKED-MARKER</p>".repeat(300) + "</body></html>";
            marathon.answerEverythingWith(500, page);
            Map<String, Object> request = Map.of("name", "html-errors", "kind", "marathon", "endpoint", marathon.url());

            JsonNode tested = api().post("/api/v1/engines/test", request).json();
            assertThat(tested.get("ok").asBoolean()).isFalse();
            assertThat(tested.get("message").asString()).isEqualTo("Marathon answered HTTP 500 for Marathon info");

            Api.Response created = api().post("/api/v1/engines", request);
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String id = created.json().get("id").asString();
            JsonNode down = Engines.awaitStatus(api(), id, "DOWN");
            assertThat(down.get("message").asString()).hasSizeLessThan(200).doesNotContain("AKIA-LEAKED-MARKER", "<");
            assertThat(api().delete("/api/v1/engines/" + id).status()).isEqualTo(204);
        } finally {
            marathon.close();
        }
    }

    /** A kubeconfig engine; its endpoint is informational, the client goes to {@code server}. */
    private static Map<String, Object> kubeconfigEngine(String name, String server, String user) {
        return kubeconfigEngine(name, server, "", user);
    }

    /** @param clusterKeys more keys of the cluster, e.g. {@code , certificate-authority: /ca.pem} */
    private static Map<String, Object> kubeconfigEngine(String name, String server, String clusterKeys, String user) {
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                current-context: main
                clusters:
                - name: c
                  cluster: {server: "%s"%s}
                users:
                - name: u
                  user: %s
                contexts:
                - name: main
                  context: {cluster: c, user: u}
                """.formatted(server, clusterKeys, user);
        return Map.of("name", name, "kind", "kubernetes", "endpoint", "from-kubeconfig",
                "credentials", Map.of("kubeconfig", kubeconfig), "options", Map.of("callTimeout", "10s"));
    }

    /** Counts the TCP connections made to it, answering none. */
    private static final class CaptureServer implements AutoCloseable {
        private final ServerSocket socket;
        private final AtomicInteger connections = new AtomicInteger();

        CaptureServer() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket ignored = socket.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "capture-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url() {
            return "https://127.0.0.1:" + socket.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static void assertProblem(Api.Response r, int status, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonNode body = r.json();
        assertThat(body.get("type").asString()).isNotBlank();
        assertThat(body.get("title").asString()).isNotBlank();
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("detail").asString()).isNotBlank();
        assertThat(body.get("errors").toString()).contains("\"field\":\"" + field + "\"");
    }
}
