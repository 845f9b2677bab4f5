package io.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.agent.adapter.AgentProcess;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.IntegrationTest;
import io.gantry.support.Operations;
import io.gantry.support.StreamRecorder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/**
 * Issue 21's "Done when" on a real node agent registered through the API: a raw task (an ADMIN's) gets a secret as
 * an environment variable and as a file that only its user can read, the file goes when the task ends, and the value
 * is nowhere Gantry writes. The task prints only SHA-256 digests of what it received, so its log proves delivery
 * without carrying the value.
 */
@ExtendWith(OutputCaptureExtension.class)
class AgentSecretsEndToEndIT extends IntegrationTest {
    private static final Duration WITHIN = Duration.ofSeconds(60);
    /**
     * Not the agent's default namespace: the runtime check of a deploy (Containers.Check without a namespace) once
     * resolved secret references in "default" and refused this one's.
     */
    private static final String NAMESPACE = "e2e-secrets";

    @Test
    void aRawTaskGetsTheSecretAsEnvAndAsAnOwnerOnlyFileThatGoesWhenTheTaskEnds(CapturedOutput output) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String engine = "agent-secrets-" + suffix;
        String name = "db-" + suffix;
        String task = "probe-" + suffix;
        String value = "agent-v4lue-" + UUID.randomUUID();
        String rotated = "agent-r0tated-" + UUID.randomUUID();
        Api api = api();
        SecretLeakCheck leaks = new SecretLeakCheck(api);
        Path root = Files.createTempDirectory(Path.of("target"), "agent-secrets-");
        try (AgentProcess agent = new AgentProcess(root.resolve("agent")).start();
             StreamRecorder stream = new StreamRecorder(api, "/api/v1/stream")) {
            assertThat(stream.status()).isEqualTo(200);
            Api.Response registered = leaks.seen(api.post("/api/v1/engines", Map.of("name", engine, "kind", "agent",
                    "endpoint", "grpc://127.0.0.1:" + agent.port, "credentials", Map.of("token", agent.token),
                    "options", Map.of("callTimeout", "30s"))));
            assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
            assertThat(Engines.awaitStatus(api, engine, "UP").get("capabilities").toString()).contains("secrets");

            Api.Response created = leaks.seen(api.post("/api/v1/configs", Map.of("engine", engine, "namespace", NAMESPACE,
                    "name", name, "kind", "SECRET", "data", Map.of("password", value))));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String configId = created.json().get("id").asString();
            Api.Response again = leaks.seen(api.post("/api/v1/configs", Map.of("engine", engine, "namespace", NAMESPACE,
                    "name", name, "kind", "SECRET", "data", Map.of("password", value))));
            assertThat(again.status()).as("the name is taken: " + again).isEqualTo(409);

            // a raw task's file path is relative to its own secrets directory, named to it in GANTRY_SECRETS_DIR
            Api.Response deploy = leaks.seen(api.post("/api/v1/workloads", Map.of("engine", engine,
                    "namespace", NAMESPACE, "name", task, "spec", Map.of("runtime", "raw", "replicas", 1,
                            "command", List.of("/bin/sh", "-c",
                                    "echo \"env=$(printf %s \"$DB_PASSWORD\" | sha256sum | cut -c1-64)\";"
                                            + " echo \"file=$(sha256sum < \"$GANTRY_SECRETS_DIR/db/password\" | cut -c1-64)\";"
                                            + " exec sleep 3600"),
                            "secrets", List.of(Map.of("source", name, "key", "password", "env", "DB_PASSWORD"),
                                    Map.of("source", name, "key", "password", "path", "/db/password"))))));
            assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
            JsonNode deployed = Operations.await(api, deploy.location(), "SUCCEEDED", WITHIN);
            leaks.seen(deployed.toString());
            String workloadId = deployed.get("workloadId").asString();

            awaitDigests(api, leaks, workloadId, value);
            ownerOnlyFile(task, value);

            // a rotation restarts the task, which then gets the new value as env and as a file
            Api.Response rotation = leaks.seen(api.put("/api/v1/configs/" + configId + "/data",
                    Map.of("data", Map.of("password", rotated))));
            assertThat(rotation.status()).as(rotation.toString()).isEqualTo(202);
            leaks.seen(Operations.await(api, rotation.location(), "SUCCEEDED", WITHIN).toString());
            awaitDigests(api, leaks, workloadId, rotated);
            Path file = ownerOnlyFile(task, rotated);
            Path dir = file.getParent().getParent();

            Api.Response scaled = leaks.seen(api.post("/api/v1/workloads/" + workloadId + "/scale", Map.of("replicas", 0)));
            assertThat(scaled.status()).as(scaled.toString()).isEqualTo(202);
            leaks.seen(Operations.await(api, scaled.location(), "SUCCEEDED", WITHIN).toString());
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                assertThat(file).as("the secret file after the task ended").doesNotExist();
                assertThat(dir).as("the task's secrets directory after it ended").doesNotExist();
            });

            Api.Response inUse = leaks.seen(api.delete("/api/v1/configs/" + configId));
            assertThat(inUse.status()).as("still referenced by the (stopped) workload: " + inUse).isEqualTo(409);
            assertThat(inUse.json().get("usedBy").toString()).contains(task);
            leaks.assertNoValueIn(List.of(value, rotated), List.of(workloadId), stream, output, name);

            Api.Response removed = leaks.seen(api.delete("/api/v1/workloads/" + workloadId));
            leaks.seen(Operations.await(api, removed.location(), "SUCCEEDED", WITHIN).toString());
            await().atMost(WITHIN).pollInterval(Duration.ofMillis(250)).until(() ->
                    leaks.seen(api.delete("/api/v1/configs/" + configId)).status() == 204);
            leaks.assertNoValueIn(List.of(value, rotated), List.of(), stream, output, name);
        } finally {
            api.delete("/api/v1/engines/" + engine);
        }
    }

    /** Waits until the task's log shows the SHA-256 of {@code value} as received in its env and in its file. */
    private static void awaitDigests(Api api, SecretLeakCheck leaks, String workloadId, String value) throws Exception {
        String digest = sha256(value);
        await().atMost(WITHIN).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            Api.Response logs = leaks.seen(api.get("/api/v1/workloads/" + workloadId + "/logs?tail=20"));
            assertThat(logs.status()).as(logs.toString()).isEqualTo(200);
            assertThat(logs.body()).as("the task's digests of what it got").contains("env=" + digest)
                    .contains("file=" + digest);
        });
    }

    /**
     * The secret file of the task's live process, checked: it holds {@code value}, it and its directory belong to the
     * process's user (not root, when the agent runs as root: tasks then run as its task user) and are closed to
     * everyone else.
     */
    private static Path ownerOnlyFile(String task, String value) throws IOException {
        long pid = taskProcess(task);
        Path dir = Path.of(environment(pid).stream().filter(v -> v.startsWith("GANTRY_SECRETS_DIR="))
                .findFirst().orElseThrow().substring("GANTRY_SECRETS_DIR=".length()));
        Path file = dir.resolve("db/password");
        int taskUid = uid(pid);
        if (uid(ProcessHandle.current().pid()) == 0) {
            assertThat(taskUid).as("a root agent's task runs as its task user").isNotZero();
        }
        assertThat(Files.readString(file)).as("the file holds the value").isEqualTo(value);
        assertThat(Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS)).as("file owner").isEqualTo(taskUid);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)))
                .as("file mode: its owner's only").isEqualTo("r--------");
        assertThat(Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)).as("directory owner").isEqualTo(taskUid);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS)))
                .as("directory mode").isEqualTo("rwx------");
        return file;
    }

    /** The one live process of the task {@code task} (by the variables the agent gives every task). */
    private static long taskProcess(String task) {
        long[] pid = new long[1];
        await().atMost(WITHIN).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            List<Long> found = processesWith("GANTRY_NAMESPACE=" + NAMESPACE, "GANTRY_CONTAINER_ID=" + task);
            assertThat(found).as("processes of " + task).hasSize(1);
            pid[0] = found.get(0);
        });
        return pid[0];
    }

    private static List<Long> processesWith(String... variables) throws IOException {
        try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
            return proc.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .map(p -> Long.parseLong(p.getFileName().toString()))
                    .filter(pid -> environment(pid).containsAll(List.of(variables)))
                    .toList();
        }
    }

    private static List<String> environment(long pid) {
        try {
            return List.of(new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")),
                    StandardCharsets.UTF_8).split("\0"));
        } catch (IOException | SecurityException gone) {
            return List.of();
        }
    }

    /** The real uid of a process, from {@code /proc/<pid>/status}. */
    private static int uid(long pid) throws IOException {
        Optional<String> line = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("Uid:")).findFirst();
        return Integer.parseInt(line.orElseThrow().split("\\s+")[1]);
    }

    private static String sha256(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    }
}
