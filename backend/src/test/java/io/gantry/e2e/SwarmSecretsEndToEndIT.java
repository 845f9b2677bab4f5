package io.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.spi.RequiredEngine;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.IntegrationTest;
import io.gantry.support.Operations;
import io.gantry.support.StreamRecorder;
import io.gantry.swarm.LocalSwarm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/**
 * Issue 21's "Done when" on the real dockerd, through Gantry's REST API only: a secret made with
 * {@code POST /api/v1/configs} is a Swarm secret, a service deployed with it as a file reads it, a rotation moves the
 * service to the new version, an in-use secret cannot be deleted, and the value is nowhere Gantry writes. The daemon
 * is shared: every name carries a random suffix and only what this class made is removed.
 */
@ExtendWith(OutputCaptureExtension.class)
class SwarmSecretsEndToEndIT extends IntegrationTest {
    /** A rotation updates the service: Swarm stops the old task and starts one more on a busy machine. */
    private static final Duration SETTLE = Duration.ofSeconds(60);
    /** As in SwarmEndToEndIT: a PID 1 that ends on SIGTERM, so an update does not wait Swarm's stop grace period. */
    private static final List<String> SLEEPER = List.of("sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait");

    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final List<String> services = new ArrayList<>();
    private final List<String> engines = new ArrayList<>();

    @BeforeAll
    static void requireSwarm() {
        RequiredEngine.require(LocalSwarm.available(), LocalSwarm.REQUIRED);
    }

    @AfterEach
    void removeWhatThisTestMade() {
        engines.forEach(id -> api().delete("/api/v1/engines/" + id));
        LocalSwarm.removeServices(services.toArray(String[]::new));
        // dockerd refuses to remove a secret until the removed service's tasks are gone: a few seconds at most
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
            List<String> left = secretNames().stream().filter(n -> n.endsWith(suffix) || n.contains(suffix + "-v")).toList();
            left.forEach(n -> LocalSwarm.run(Duration.ofSeconds(30), "/usr/bin/docker", "secret", "rm", n));
            return left.isEmpty();
        });
    }

    @Test
    void aSecretIsAFileInTheServiceRotatesIntoItIsKeptWhileUsedAndLeaksNowhere(CapturedOutput output) throws Exception {
        Api api = api();
        SecretLeakCheck leaks = new SecretLeakCheck(api);
        String engine = "swarm-secrets-" + suffix;
        String name = "e2e-pw-" + suffix;
        String service = "e2e-sec-" + suffix;
        String first = "first-" + UUID.randomUUID();
        String second = "second-" + UUID.randomUUID();
        String path = "/run/secrets/" + name;

        try (StreamRecorder stream = new StreamRecorder(api, "/api/v1/stream")) {
            assertThat(stream.status()).isEqualTo(200);
            Api.Response registered = leaks.seen(api.post("/api/v1/engines", Map.of("name", engine, "kind", "swarm",
                    "endpoint", "unix://" + LocalSwarm.SOCKET, "labels", Map.of("env", "e2e"), "credentials", Map.of())));
            assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
            engines.add(registered.json().get("id").asString());
            JsonNode up = Engines.awaitStatus(api, engine, "UP");
            assertThat(up.get("capabilities").toString()).contains("secrets");

            Api.Response created = leaks.seen(api.post("/api/v1/configs", Map.of("engine", engine, "name", name,
                    "kind", "SECRET", "data", Map.of("password", first))));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String id = created.json().get("id").asString();
            assertThat(created.json().has("data")).isFalse();
            assertThat(secretNames()).as("docker secret ls").contains(name);
            // refused by dockerd (the name is taken): a problem that repeats no value
            Api.Response again = leaks.seen(api.post("/api/v1/configs", Map.of("engine", engine, "name", name,
                    "kind", "SECRET", "data", Map.of("password", first))));
            assertThat(again.status()).as(again.toString()).isEqualTo(409);

            services.add(service);
            Api.Response deploy = leaks.seen(api.post("/api/v1/workloads", Map.of("engine", engine, "name", service,
                    "kind", "SERVICE", "labels", Map.of(LocalSwarm.TEST_LABEL, "e2e"),
                    "spec", Map.of("image", LocalSwarm.IMAGE, "args", SLEEPER, "replicas", 1,
                            "secrets", List.of(Map.of("source", name, "key", "password", "path", path))))));
            assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
            JsonNode deployed = Operations.await(api, deploy.location(), "SUCCEEDED", SETTLE);
            leaks.seen(deployed.toString());
            String workloadId = deployed.get("workloadId").asString();
            String nativeId = leaks.seen(api.get("/api/v1/workloads/" + workloadId)).json().get("nativeId").asString();
            assertThat(containerReads(nativeId, path, null)).as("the first task reads the value").isEqualTo(first);

            Api.Response rotation = leaks.seen(api.put("/api/v1/configs/" + id + "/data",
                    Map.of("data", Map.of("password", second))));
            assertThat(rotation.status()).as(rotation.toString()).isEqualTo(202);
            leaks.seen(Operations.await(api, rotation.location(), "SUCCEEDED", SETTLE).toString());
            assertThat(secretNames()).as("Swarm secrets are immutable: a new version replaced the first")
                    .contains(name + "-v2").doesNotContain(name);
            assertThat(LocalSwarm.docker("service", "inspect", nativeId, "--format",
                    "{{range .Spec.TaskTemplate.ContainerSpec.Secrets}}{{.SecretName}} {{.File.Name}}{{end}}"))
                    .isEqualTo(name + "-v2 " + path);
            assertThat(containerReads(nativeId, path, second)).as("the updated task reads the new value").isEqualTo(second);
            await().atMost(SETTLE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                JsonNode refs = leaks.seen(api.get("/api/v1/workloads/" + workloadId)).json().get("spec").get("secrets");
                assertThat(refs).as("the reference by its logical name, not the version's").hasSize(1);
                assertThat(refs.get(0).get("source").asString()).isEqualTo(name);
                assertThat(refs.get(0).get("key").asString()).isEqualTo("password");
                assertThat(refs.get(0).get("path").asString()).isEqualTo(path);
            });

            Api.Response inUse = leaks.seen(api.delete("/api/v1/configs/" + id));
            assertThat(inUse.status()).as(inUse.toString()).isEqualTo(409);
            assertThat(inUse.json().get("usedBy").toString()).contains(service).contains(workloadId);
            assertThat(secretNames()).contains(name + "-v2");

            List<String> workloadIds = List.of(workloadId);
            leaks.assertNoValueIn(List.of(first, second), workloadIds, stream, output, name);

            Api.Response removed = leaks.seen(api.delete("/api/v1/workloads/" + workloadId));
            leaks.seen(Operations.await(api, removed.location(), "SUCCEEDED", SETTLE).toString());
            // until Swarm has let go of the removed service's tasks, dockerd itself refuses the removal
            await().atMost(SETTLE).pollInterval(Duration.ofMillis(500)).until(() ->
                    leaks.seen(api.delete("/api/v1/configs/" + id)).status() == 204);
            assertThat(secretNames()).as("docker secret ls").noneMatch(n -> n.startsWith(name));
            assertThat(api.get("/api/v1/configs/" + id).status()).isEqualTo(404);
            leaks.assertNoValueIn(List.of(first, second), List.of(), stream, output, name);
        }
    }

    private static List<String> secretNames() {
        return LocalSwarm.docker("secret", "ls", "--format", "{{.Name}}").lines().map(String::trim).toList();
    }

    /**
     * What {@code cat path} prints in a running container of the service; with {@code expected}, waits until a
     * container prints that (an update replaces the task, and the old one may still run for a moment).
     */
    private static String containerReads(String serviceId, String path, String expected) {
        String[] read = new String[1];
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            read[0] = null;
            for (String container : LocalSwarm.docker("ps", "-q", "--no-trunc", "--filter",
                    "label=com.docker.swarm.service.id=" + serviceId).lines().filter(l -> !l.isBlank()).toList()) {
                LocalSwarm.Result cat = LocalSwarm.run(Duration.ofSeconds(20), "/usr/bin/docker", "exec", container,
                        "cat", path);
                if (cat.exitCode() == 0 && (expected == null || cat.output().trim().equals(expected))) {
                    read[0] = cat.output().trim();
                }
            }
            assertThat(read[0]).as("a running container of %s read %s", serviceId, path).isNotNull();
        });
        return read[0];
    }
}
