package io.gantry.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.agent.api.v1.ConfigKind;
import io.gantry.agent.api.v1.ConfigMeta;
import io.gantry.agent.api.v1.ConfigsGrpc;
import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.ContainersGrpc;
import io.gantry.agent.api.v1.CreateConfigRequest;
import io.gantry.agent.api.v1.CreateContainerRequest;
import io.gantry.agent.api.v1.CreateTaskRequest;
import io.gantry.agent.api.v1.DeleteConfigRequest;
import io.gantry.agent.api.v1.DeleteContainerRequest;
import io.gantry.agent.api.v1.DeleteTaskRequest;
import io.gantry.agent.api.v1.GetTaskRequest;
import io.gantry.agent.api.v1.KillTaskRequest;
import io.gantry.agent.api.v1.ListConfigsRequest;
import io.gantry.agent.api.v1.LogEntry;
import io.gantry.agent.api.v1.ReadConfigRequest;
import io.gantry.agent.api.v1.RotateConfigRequest;
import io.gantry.agent.api.v1.RotateConfigResponse;
import io.gantry.agent.api.v1.SecretRef;
import io.gantry.agent.api.v1.StartTaskRequest;
import io.gantry.agent.api.v1.TaskLogsRequest;
import io.gantry.agent.api.v1.TaskStatus;
import io.gantry.agent.api.v1.TasksGrpc;
import io.gantry.agent.api.v1.WaitTaskRequest;
import io.gantry.agent.runtime.TaskUser;
import io.gantry.agent.task.SecretFiles;
import io.gantry.agent.task.TaskDirs;
import io.gantry.spi.RecordingListener;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Configs service and what tasks get of it, on a real AgentCore running real host processes. */
class ConfigsServiceTest {
    private static final String TOKEN = "configs-test-token";
    /** Distinctive enough that finding it anywhere means it leaked. */
    private static final String VALUE = "v4lue-" + Long.toHexString(System.nanoTime()) + "-never-shown";
    private static final String ROTATED = "r0tated-" + Long.toHexString(System.nanoTime()) + "-never-shown";
    /** Prints digests of what the task got, never the value, so its log holds no value either. */
    private static final String PROBE = "echo \"env=$(printf %s \"$DB_PASSWORD\" | sha256sum | cut -c1-64)\";"
            + " echo \"file=$(sha256sum < \"$GANTRY_SECRETS_DIR/db/password\" | cut -c1-64)\";"
            + " echo \"dir=$GANTRY_SECRETS_DIR\"; exec sleep 60";

    @TempDir
    Path dataDir;
    @TempDir
    Path noCgroups;

    private InProcessAgent agent;

    @BeforeEach
    void start() throws Exception {
        agent = agentOn(TOKEN);
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void valuesAreSealedAtRestNeverAnsweredForASecretAndSurviveARestart() throws Exception {
        ConfigMeta secret = configs("ns").create(CreateConfigRequest.newBuilder().setName("db")
                .setKind(ConfigKind.CONFIG_KIND_SECRET).putData("password", VALUE).build()).getConfig();
        assertThat(secret.getKeysList()).containsExactly("password");
        assertThat(secret.getVersion()).isEqualTo(1);
        configs("ns").create(CreateConfigRequest.newBuilder().setName("app").setKind(ConfigKind.CONFIG_KIND_CONFIG)
                .putData("app.properties", "mode=" + VALUE).build());

        assertThat(configs("ns").read(ReadConfigRequest.newBuilder().setName("app")
                .setKind(ConfigKind.CONFIG_KIND_CONFIG).build()).getDataMap()).containsEntry("app.properties", "mode=" + VALUE);
        assertThatThrownBy(() -> configs("ns").read(ReadConfigRequest.newBuilder().setName("db")
                .setKind(ConfigKind.CONFIG_KIND_SECRET).build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.FAILED_PRECONDITION))
                .hasMessageNotContaining(VALUE);
        assertThat(configs(null).list(ListConfigsRequest.getDefaultInstance()).toString()).doesNotContain(VALUE)
                .contains("db", "app");
        assertThatThrownBy(() -> configs("ns").create(CreateConfigRequest.newBuilder().setName("db")
                .putData("password", VALUE).build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.ALREADY_EXISTS));
        assertThatThrownBy(() -> configs("ns").create(CreateConfigRequest.newBuilder().setName("bad")
                .putData("../x", VALUE).build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .hasMessageStartingWith("INVALID_ARGUMENT: data.../x:").hasMessageNotContaining(VALUE);

        assertThat(filesContaining(dataDir, VALUE)).as("no plaintext in the agent's state").isEmpty();

        agent.close();
        agent = agentOn(TOKEN);
        assertThat(configs("ns").list(ListConfigsRequest.getDefaultInstance()).getConfigsList())
                .extracting(ConfigMeta::getName).containsExactly("app", "db");
        assertThat(configs("ns").read(ReadConfigRequest.newBuilder().setName("app")
                .setKind(ConfigKind.CONFIG_KIND_CONFIG).build()).getDataMap()).containsEntry("app.properties", "mode=" + VALUE);

        agent.close();
        agent = null;
        assertThatThrownBy(() -> agentOn("another-token")).as("sealed with another key: refused, not half-loaded")
                .hasMessageContaining("sealed with another key").hasMessageNotContaining(VALUE);
    }

    @Test
    void aRawTaskGetsTheSecretAsEnvAndAsAFileOnlyItsUserReadsGoneWhenItEnds() throws Exception {
        createSecret("db", VALUE);
        startWeb();
        String out = awaitLog("ns", "web-0", "dir=");
        assertThat(out).contains("env=" + sha256(VALUE)).contains("file=" + sha256(VALUE)).doesNotContain(VALUE);

        Path dir = Path.of(line(out, "dir="));
        Path file = dir.resolve("db/password");
        if (Files.isWritable(Path.of("/dev/shm"))) {
            assertThat(dir).as("on a tmpfs").startsWith(Path.of("/dev/shm"));
        }
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("r--------"));
        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        int taskUid = TaskUser.agentUid() == 0 ? 65534 : TaskUser.agentUid();
        assertThat(Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(taskUid);
        assertThat(Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(taskUid);

        tasks("ns").kill(KillTaskRequest.newBuilder().setTaskId("web-0").build());
        tasks("ns").wait(WaitTaskRequest.newBuilder().setTaskId("web-0").build());
        assertThat(dir).as("removed when the task ends").doesNotExist();

        tasks("ns").start(StartTaskRequest.newBuilder().setTaskId("web-0").build());
        awaitTrue(() -> Files.exists(file));
        agent.close();
        agent = null;
        assertThat(dir).as("removed when an agent shutting down stops its tasks").doesNotExist();
        assertThat(filesContaining(dataDir, VALUE)).isEmpty();
    }

    @Test
    void aRotationRestartsTheTasksThatUseItAndTheyGetTheNewValue() throws Exception {
        createSecret("db", VALUE);
        startWeb();
        awaitLog("ns", "web-0", "dir=");
        long pid = tasks("ns").get(GetTaskRequest.newBuilder().setTaskId("web-0").build()).getTask().getPid();

        RotateConfigResponse rotated = configs("ns").rotate(RotateConfigRequest.newBuilder().setName("db")
                .putData("password", ROTATED).build());
        assertThat(rotated.getConfig().getVersion()).isEqualTo(2);
        assertThat(rotated.getRestartedTasksList()).containsExactly("web-0");
        // the probe prints env first: once its file line is out, both are
        String out = awaitLog("ns", "web-0", "file=" + sha256(ROTATED));
        assertThat(out).contains("env=" + sha256(ROTATED));
        assertThat(tasks("ns").get(GetTaskRequest.newBuilder().setTaskId("web-0").build()).getTask())
                .satisfies(t -> assertThat(t.getPid()).isNotEqualTo(pid))
                .satisfies(t -> assertThat(t.getStatus()).isEqualTo(TaskStatus.TASK_STATUS_RUNNING));

        assertThatThrownBy(() -> configs("ns").rotate(RotateConfigRequest.newBuilder().setName("db")
                .putData("other", ROTATED).build()))
                .as("a rotation must not drop a key a container reads")
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .hasMessageContaining("data: key 'password' is used by container web");
    }

    @Test
    void deletingAnObjectInUseIsRefusedNamingItsUsers() {
        createSecret("db", VALUE);
        startWeb();
        assertThatThrownBy(() -> configs("ns").delete(DeleteConfigRequest.newBuilder().setName("db").build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.FAILED_PRECONDITION))
                .hasMessageContaining("in use by container web (tasks web-0)");

        tasks("ns").delete(DeleteTaskRequest.newBuilder().setTaskId("web-0").build());
        containers("ns").delete(DeleteContainerRequest.newBuilder().setId("web").build());
        configs("ns").delete(DeleteConfigRequest.newBuilder().setName("db").build());
        assertThat(configs("ns").list(ListConfigsRequest.getDefaultInstance()).getConfigsList()).isEmpty();
    }

    @Test
    void badReferencesAreRefusedNamingTheField() {
        createSecret("db", VALUE);
        Map<SecretRef, String> refused = Map.of(
                ref("nope", "password", "X", ""), "spec.secrets[0].source: secret 'nope' does not exist",
                ref("db", "user", "X", ""), "spec.secrets[0].key: secret 'db' has no key 'user'",
                ref("db", "password", "", "../../etc/passwd"), "spec.secrets[0].path: must not contain '..'",
                ref("db", "password", "X", "/a"), "spec.secrets[0].env: set either env",
                ref("db", "", "X", ""), "spec.secrets[0].key: an env reference needs the key",
                ref("db", "password", "", "/a").toBuilder().setKind(ConfigKind.CONFIG_KIND_CONFIG).build(),
                "spec.secrets[0].source: config 'db' does not exist");
        refused.forEach((ref, message) -> assertThatThrownBy(() -> containers("ns").create(CreateContainerRequest
                .newBuilder().setId("web").setSpec(shell("true").toBuilder().addSecrets(ref)).build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .hasMessageContaining(message));
    }

    @Test
    void filesLeftByAnAgentThatDiedAreRemovedAtStart() throws Exception {
        Path root = SecretFiles.defaultRoot(TaskDirs.defaultRoot(dataDir));
        Path leftover = root.resolve("ns_ghost-0");
        Files.createDirectories(leftover);
        Files.writeString(leftover.resolve("password"), VALUE);
        agent.close();
        agent = agentOn(TOKEN);
        assertThat(leftover).doesNotExist();
    }

    private InProcessAgent agentOn(String token) throws IOException {
        return new InProcessAgent(AgentOptions.loopback(0, token, dataDir), noCgroups, true);
    }

    private void createSecret(String name, String value) {
        configs("ns").create(CreateConfigRequest.newBuilder().setName(name).setKind(ConfigKind.CONFIG_KIND_SECRET)
                .putData("password", value).build());
    }

    private void startWeb() {
        containers("ns").create(CreateContainerRequest.newBuilder().setId("web").setSpec(shell(PROBE).toBuilder()
                .addSecrets(ref("db", "password", "DB_PASSWORD", ""))
                .addSecrets(ref("db", "password", "", "/db/password"))).build());
        tasks("ns").create(CreateTaskRequest.newBuilder().setContainerId("web").setTaskId("web-0").build());
        tasks("ns").start(StartTaskRequest.newBuilder().setTaskId("web-0").build());
    }

    private static SecretRef ref(String source, String key, String env, String path) {
        return SecretRef.newBuilder().setSource(source).setKey(key).setEnv(env).setPath(path).build();
    }

    private static ContainerSpec shell(String script) {
        return ContainerSpec.newBuilder().addCommand("/bin/sh").addArgs("-c").addArgs(script).setReplicas(1)
                .setKind("SERVICE").build();
    }

    private String awaitLog(String namespace, String taskId, String wanted) {
        String[] out = {""};
        awaitTrue(() -> {
            StringBuilder b = new StringBuilder();
            Iterator<LogEntry> it = tasks(namespace).logs(TaskLogsRequest.newBuilder().setTaskId(taskId).setTail(50)
                    .build());
            it.forEachRemaining(e -> b.append(e.getLine()).append('\n'));
            out[0] = b.toString();
            return out[0].contains(wanted);
        });
        return out[0];
    }

    /** The last line's value after {@code prefix}. */
    private static String line(String out, String prefix) {
        List<String> lines = out.lines().filter(l -> l.startsWith(prefix)).toList();
        return lines.get(lines.size() - 1).substring(prefix.length());
    }

    static List<Path> filesContaining(Path dir, String value) throws IOException {
        byte[] needle = value.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).filter(p -> contains(p, needle)).toList();
        }
    }

    private static boolean contains(Path file, byte[] needle) {
        try {
            byte[] data = Files.readAllBytes(file);
            outer:
            for (int i = 0; i + needle.length <= data.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (data[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    static String sha256(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    }

    private ConfigsGrpc.ConfigsBlockingStub configs(String namespace) {
        return with(ConfigsGrpc.newBlockingStub(agent.channel), namespace);
    }

    private ContainersGrpc.ContainersBlockingStub containers(String namespace) {
        return with(ContainersGrpc.newBlockingStub(agent.channel), namespace);
    }

    private TasksGrpc.TasksBlockingStub tasks(String namespace) {
        return with(TasksGrpc.newBlockingStub(agent.channel), namespace);
    }

    private static <S extends AbstractStub<S>> S with(S stub, String namespace) {
        Metadata headers = new Metadata();
        headers.put(TokenInterceptor.AUTHORIZATION, "Bearer " + TOKEN);
        if (namespace != null) {
            headers.put(NamespaceInterceptor.HEADER, namespace);
        }
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static Status.Code code(Throwable e) {
        return ((StatusRuntimeException) e).getStatus().getCode();
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) {
        RecordingListener.await("the condition met", Duration.ofSeconds(15), condition);
    }
}
