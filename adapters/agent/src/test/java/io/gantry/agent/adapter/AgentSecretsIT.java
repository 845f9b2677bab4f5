package io.gantry.agent.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.InstanceState;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.config.ConfigDefinition;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.ConfigObject;
import io.gantry.spi.config.SecretRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets and configs through the adapter, on the real daemon: raw and runc tasks, rotation, deletion, restarts. */
class AgentSecretsIT {
    private static final String VALUE = "it-v4lue-" + Long.toHexString(System.nanoTime()) + "-never-shown";
    private static final String ROTATED = "it-r0tated-" + Long.toHexString(System.nanoTime()) + "-never-shown";

    @TempDir
    Path root;

    @Test
    void aRawWorkloadUsesASecretAsEnvAndFileRotatesAndBlocksDeletion() throws Exception {
        AgentProcess first = new AgentProcess(root).start();
        try (EngineClient client = first.client()) {
            ConfigObject secret = client.createConfig(new ConfigDefinition("demo", "db", ConfigKind.SECRET,
                    Map.of("password", VALUE)));
            assertThat(secret.nativeId()).isEqualTo("demo/secret/db");
            assertThat(secret.toString()).doesNotContain(VALUE);
            ConfigObject config = client.createConfig(new ConfigDefinition("demo", "app", ConfigKind.CONFIG,
                    Map.of("mode", "fast")));
            assertThat(client.readConfig(config.nativeId())).containsEntry("mode", "fast");
            assertThatThrownBy(() -> client.readConfig(secret.nativeId()))
                    .isInstanceOf(UnsupportedCapabilityException.class).hasMessageNotContaining(VALUE);
            assertThat(client.listConfigs()).extracting(ConfigObject::nativeId)
                    .containsExactly("demo/config/app", "demo/secret/db");

            List<SecretRef> refs = List.of(SecretRef.env("db", "password", "DB_PASSWORD"),
                    SecretRef.file("db", ConfigKind.SECRET, "password", "/db/password", null));
            Workload web = client.deploy(new WorkloadDefinition("demo", "web", WorkloadKind.SERVICE, Map.of("team", "a"),
                    probe(refs)));
            assertThat(web.spec().secrets()).as("read back as references").isEqualTo(refs);
            assertThat(web.nativeObject()).doesNotContain(VALUE);
            await("the probe's output", () -> logs(client).contains("env=" + sha256(VALUE))
                    && logs(client).contains("file=" + sha256(VALUE)));

            Instant started = running(client).instances().get(0).startedAt();
            client.relabel("demo/web", Map.of("team", "b"));
            Workload relabeled = running(client);
            assertThat(relabeled.labels()).containsEntry("team", "b");
            assertThat(relabeled.instances().get(0).startedAt()).as("a relabel restarts nothing").isEqualTo(started);

            ConfigObject rotated = client.rotateConfig(secret.nativeId(), Map.of("password", ROTATED));
            assertThat(rotated.version()).isEqualTo("2");
            await("the new value in the restarted task", () -> logs(client).contains("env=" + sha256(ROTATED))
                    && logs(client).contains("file=" + sha256(ROTATED)));

            assertThatThrownBy(() -> client.deleteConfig(secret.nativeId()))
                    .isInstanceOf(EngineConflictException.class).hasMessageContaining("web-0");
            assertThatThrownBy(() -> client.deploy(new WorkloadDefinition("demo", "ghost", WorkloadKind.SERVICE,
                    Map.of(), probe(List.of(SecretRef.env("nope", "password", "X"))))))
                    .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors())
                            .anySatisfy(f -> assertThat(f.field()).isEqualTo("spec.secrets[0].source")));
        }
        first.kill();
        try (AgentProcess second = new AgentProcess(root, first.token, first.port, first.metricsPort).start();
             EngineClient client = second.client()) {
            assertThat(client.listConfigs()).as("the store survives a restart").extracting(ConfigObject::nativeId)
                    .containsExactly("demo/config/app", "demo/secret/db");
            client.delete("demo/web");
            client.deleteConfig("demo/secret/db");
            assertThat(client.listConfigs()).extracting(ConfigObject::nativeId).containsExactly("demo/config/app");
            second.close();
        }
        assertThat(filesContaining(root, VALUE)).as("no value in the agent's log or state").isEmpty();
        assertThat(filesContaining(root, ROTATED)).isEmpty();
    }

    @Test
    void aRuncTaskReadsTheSecretFileAtItsPath() throws Exception {
        BusyboxImage.requireRuncAndBusybox();
        try (AgentProcess agent = new AgentProcess(root.resolve("agent")).withoutRaw().start();
             EngineClient client = agent.client()) {
            BusyboxImage.importInto(agent, "oci", "busybox:it", BusyboxImage.tarball(root,
                    List.of("sh", "sleep", "echo", "cat", "sha256sum", "cut", "stat")));
            client.createConfig(new ConfigDefinition("oci", "db", ConfigKind.SECRET, Map.of("password", VALUE)));
            client.deploy(new WorkloadDefinition("oci", "box", WorkloadKind.SERVICE, Map.of(),
                    new WorkloadSpec("busybox:it", List.of("/bin/sh", "-c"), List.of(
                            "echo \"file=$(sha256sum < /run/secrets/db | cut -c1-64)\";"
                                    + " echo \"mode=$(stat -c %a /run/secrets/db)\"; exec sleep 60"),
                            null, null, null, 1, null, null, "runc",
                            List.of(SecretRef.file("db", ConfigKind.SECRET, "password", "/run/secrets/db", null)))));
            await("the runc task's output", () -> client.logs("oci/box", 20).toString().contains("file=" + sha256(VALUE)));
            assertThat(client.logs("oci/box", 20).toString()).contains("mode=400").doesNotContain(VALUE);
            client.delete("oci/box");
        }
        assertThat(filesContaining(root.resolve("agent"), VALUE)).isEmpty();
    }

    private static WorkloadSpec probe(List<SecretRef> refs) {
        return new WorkloadSpec(null, List.of("/bin/sh", "-c"), List.of(
                "echo \"env=$(printf %s \"$DB_PASSWORD\" | sha256sum | cut -c1-64)\";"
                        + " echo \"file=$(sha256sum < \"$GANTRY_SECRETS_DIR/db/password\" | cut -c1-64)\"; exec sleep 60"),
                null, null, null, 1, null, null, "raw", refs);
    }

    private static Workload running(EngineClient client) {
        return client.getWorkload("demo/web").filter(w -> w.instances().size() == 1
                && w.instances().get(0).state() == InstanceState.RUNNING).orElseThrow();
    }

    private static String logs(EngineClient client) {
        return client.logs("demo/web", 50).toString();
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) {
        RecordingListener.await(what, Duration.ofSeconds(30), condition);
    }

    static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Path> filesContaining(Path dir, String value) throws IOException {
        byte[] needle = value.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).filter(p -> {
                try {
                    return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)
                            .contains(new String(needle, StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    return false;
                }
            }).toList();
        }
    }
}
