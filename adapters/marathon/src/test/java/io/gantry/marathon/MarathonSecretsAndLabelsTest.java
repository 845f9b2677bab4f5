package io.gantry.marathon;

import static io.gantry.marathon.MarathonEngineClientContractTest.connection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.Phase;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.SecretRef;
import io.gantry.spi.json.Json;
import tools.jackson.databind.JsonNode;

/** Issue 21 on Marathon: apps refer to DC/OS secrets (no store of Marathon's own); and relabel (LABEL). */
class MarathonSecretsAndLabelsTest {
    private MarathonTestServer server;
    private EngineClient client;

    @BeforeEach
    void start() {
        server = MarathonTestServer.start().deploymentDelay(Duration.ofMillis(50));
        client = new MarathonEngineAdapter().connect(connection(server.url(), Map.of()));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private static WorkloadDefinition withSecrets(String name, List<SecretRef> secrets) {
        return new WorkloadDefinition("shop", name, WorkloadKind.SERVICE, Map.of("team", "shop"),
                new WorkloadSpec("nginx:1.27", null, null, Map.of("MODE", "test"), null, null, 1, null, null, null,
                        secrets));
    }

    private Workload running(String id) {
        return RecordingListener.poll(id + " running", Duration.ofSeconds(10),
                () -> client.getWorkload(id).filter(w -> w.status().phase() == Phase.RUNNING));
    }

    /** Waits until no deployment runs: Marathon refuses a change to an app one locks. */
    private void settled() {
        RecordingListener.poll("no deployment", Duration.ofSeconds(10), () -> java.util.Optional.of(
                ((MarathonEngineClient) client).http().get("/v2/deployments").body()).filter(b -> b.equals("[]")));
    }

    private JsonNode lastBody(String request) {
        List<MarathonTestServer.Received> sent = server.received().stream()
                .filter(r -> r.request().startsWith(request)).toList();
        assertThat(sent).as(request).isNotEmpty();
        return Json.parse(sent.get(sent.size() - 1).body());
    }

    @Test
    void marathonHasNoSecretStoreOfItsOwnButRelabels() {
        assertThat(client.capabilities()).contains(Capability.LABEL)
                .doesNotContain(Capability.SECRETS, Capability.CONFIGS);
        assertThatThrownBy(client::listConfigs).isInstanceOf(UnsupportedCapabilityException.class);
    }

    @Test
    void secretsAsEnvAndFileAreWrittenAsTheDocsShowAndReadBack() {
        List<SecretRef> refs = List.of(SecretRef.env("databasepassword", null, "DATABASE_PW"),
                SecretRef.file("/tls/key", ConfigKind.SECRET, null, "path/to/tls.key", null));
        client.deploy(withSecrets("api", refs));

        JsonNode posted = lastBody("POST /v2/apps");
        assertThat(posted.path("secrets").toString())
                .isEqualTo("{\"secret0\":{\"source\":\"databasepassword\"},\"secret1\":{\"source\":\"/tls/key\"}}");
        assertThat(posted.path("env").path("DATABASE_PW").toString()).isEqualTo("{\"secret\":\"secret0\"}");
        assertThat(posted.path("env").path("MODE").asString()).isEqualTo("test");
        assertThat(posted.path("container").path("volumes").toString())
                .isEqualTo("[{\"containerPath\":\"path/to/tls.key\",\"secret\":\"secret1\"}]");

        Workload read = running("/shop/api");
        assertThat(read.spec().secrets()).containsExactlyElementsOf(refs);
        assertThat(read.spec().env()).containsExactly(Map.entry("MODE", "test"));
        assertThat(client.listWorkloads()).singleElement().satisfies(w -> assertThat(w.spec()).isEqualTo(read.spec()));
    }

    /** An app made elsewhere (the docs' example) keeps its secret ids; references Gantry adds get free ones. */
    @Test
    void anUpdateKeepsTheIdsOfTheSecretsItKeeps() throws Exception {
        String docs = Files.readString(MarathonTestServer.fixtures().resolve("docs-secrets/app-with-secrets_file.json"));
        assertThat(server.createApp(docs)).isEqualTo(201);
        Workload app = running("/app-with-secrets");
        settled();
        assertThat(app.spec().secrets()).containsExactly(
                SecretRef.file("databasepassword", ConfigKind.SECRET, null, "path/to/db/password", null));

        List<SecretRef> more = List.of(app.spec().secrets().get(0), SecretRef.env("apikey", null, "API_KEY"));
        WorkloadSpec s = app.spec();
        client.update("/app-with-secrets", new WorkloadSpec(s.image(), s.command(), s.args(), s.env(), s.ports(),
                s.resources(), s.replicas(), s.healthCheck(), s.constraints(), s.runtime(), more));

        JsonNode put = lastBody("PUT /v2/apps/app-with-secrets");
        assertThat(put.path("secrets").toString()).isEqualTo("{\"secretpassword\":{\"source\":\"databasepassword\"},"
                + "\"secret0\":{\"source\":\"apikey\"}}");
        assertThat(put.path("container").path("volumes").toString())
                .isEqualTo("[{\"containerPath\":\"path/to/db/password\",\"secret\":\"secretpassword\"}]");
        assertThat(running("/app-with-secrets").spec().secrets()).containsExactlyInAnyOrderElementsOf(more);

        // and a spec without secrets drops them all
        settled();
        client.update("/app-with-secrets", new WorkloadSpec(s.image(), s.command(), s.args(), s.env(), s.ports(),
                s.resources(), s.replicas(), s.healthCheck(), s.constraints(), s.runtime()));
        JsonNode dropped = lastBody("PUT /v2/apps/app-with-secrets");
        assertThat(dropped.has("secrets")).isFalse();
        assertThat(dropped.path("container").path("volumes").isEmpty()).isTrue();
    }

    @Test
    void referencesMarathonCannotHoldAreRefusedNamingTheField() {
        assertField(SecretRef.env("db", "password", "DB_PW"), "spec.secrets[0].key");
        assertField(SecretRef.file("app-config", ConfigKind.CONFIG, null, "conf/app.yml", null), "spec.secrets[0].kind");
        assertField(SecretRef.file("db", ConfigKind.SECRET, null, "db/pw", 0400), "spec.secrets[0].mode");
        assertField(SecretRef.env("db", null, "MODE"), "spec.secrets[0].env");
        assertField(new SecretRef("db", ConfigKind.SECRET, null, null, null, null), "spec.secrets[0]");
        assertField(SecretRef.env(" ", null, "DB_PW"), "spec.secrets[0].source");
        assertThat(server.requests()).noneMatch(r -> r.startsWith("POST"));
    }

    private void assertField(SecretRef ref, String field) {
        assertThatThrownBy(() -> client.deploy(withSecrets("bad", List.of(ref))))
                .isInstanceOfSatisfying(InvalidSpecException.class, e ->
                        assertThat(e.errors()).extracting(InvalidSpecException.FieldError::field).containsExactly(field));
    }

    @Test
    void relabelPutsTheAppWithOnlyItsLabelsChanged() {
        client.deploy(withSecrets("web", List.of(SecretRef.env("databasepassword", null, "DATABASE_PW"))));
        Workload before = running("/shop/web");
        settled();
        JsonNode definitionBefore = Json.parse(before.nativeObject());

        client.relabel("/shop/web", Map.of("tier", "web", "team", "payments"));

        JsonNode put = lastBody("PUT /v2/apps/shop/web");
        assertThat(put.path("labels").toString()).contains("\"tier\":\"web\"").contains("\"team\":\"payments\"");
        for (String field : List.of("container", "env", "secrets", "cpus", "mem", "instances", "healthChecks")) {
            assertThat(put.path(field)).as(field).isEqualTo(definitionBefore.path(field));
        }
        assertThat(put.has("version")).as("a version would mean a rollback").isFalse();
        Workload after = running("/shop/web");
        assertThat(after.labels()).containsExactlyInAnyOrderEntriesOf(Map.of("tier", "web", "team", "payments"));
        assertThat(after.spec()).isEqualTo(before.spec());
    }

    @Test
    void relabelOfAPodKeepsGantrysRestartLabel() {
        server.createPod("""
                {"id": "/pods/cache", "labels": {"tier": "cache"}, "scaling": {"kind": "fixed", "instances": 1},
                 "containers": [{"name": "redis", "image": {"kind": "DOCKER", "id": "redis:7"},
                   "resources": {"cpus": 0.5, "mem": 256}}]}""");
        running("/pods/cache");
        settled();
        client.restart("/pods/cache");
        settled();
        client.relabel("/pods/cache", Map.of("tier", "memory"));
        JsonNode labels = lastBody("PUT /v2/pods/pods/cache").path("labels");
        assertThat(labels.path("tier").asString()).isEqualTo("memory");
        assertThat(labels.has(MarathonPodWriter.RESTARTED_LABEL)).isTrue();
        assertThat(labels.size()).isEqualTo(2);
    }

    @Test
    void relabelRefusesWhatMarathonCannotHoldAndWhatIsLockedOrMissing() {
        assertThatThrownBy(() -> client.relabel("/nothing/here", Map.of("a", "b")))
                .isInstanceOf(WorkloadNotFoundException.class);
        assertThatThrownBy(() -> client.relabel("/nothing/here", Map.of(" ", "b")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e ->
                        assertThat(e.errors()).extracting(InvalidSpecException.FieldError::field).containsExactly("labels"));
        server.deploymentDelay(Duration.ofSeconds(5));
        client.deploy(withSecrets("slow", List.of()));
        assertThatThrownBy(() -> client.relabel("/shop/slow", Map.of("a", "b")))
                .isInstanceOf(EngineConflictException.class).hasMessageContaining("deployment");
    }
}
