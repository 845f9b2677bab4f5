package io.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.gantry.spi.Capability;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.config.ConfigDefinition;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.ConfigObject;
import io.gantry.spi.config.SecretRef;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Secrets and ConfigMaps on the emulator (issue 21's Done-when for Kubernetes): created through the client, referenced
 * by a Deployment as env and as files, read back as the same references, rotated (env users restart), never read
 * back when secret, and their values in no log line, exception or workload.
 */
class KubernetesConfigsTest {
    private static final String VALUE = "s3cr3t-Pa55w0rd-4711";
    private static final String ROTATED = "r0tated-Pa55w0rd-0815";
    private static final Duration SETTLE = Duration.ofSeconds(15);
    @RegisterExtension
    static final EmulatedEngine engine = new EmulatedEngine();
    private static EmulatedCluster cluster;
    private static EngineClient client;
    private static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    /** Every exception message the tests saw, checked for values at the end. */
    private static final List<String> messages = new ArrayList<>();

    @BeforeAll
    static void start() {
        cluster = engine.cluster();
        client = engine.client();
        Logger gantry = (Logger) LoggerFactory.getLogger("io.gantry");
        gantry.setLevel(Level.DEBUG);
        logs.start();
        gantry.addAppender(logs);
    }

    @AfterAll
    static void noValueLeaked() {
        ((Logger) LoggerFactory.getLogger("io.gantry")).detachAppender(logs);
        List<String> seen = new ArrayList<>(messages);
        logs.list.forEach(e -> {
            seen.add(e.getFormattedMessage());
            if (e.getThrowableProxy() != null) {
                seen.add(e.getThrowableProxy().getMessage());
            }
        });
        assertThat(logs.list).as("the adapter logged its writes").isNotEmpty();
        for (String value : List.of(VALUE, ROTATED)) {
            String base64 = Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
            assertThat(seen).as("log lines and exception messages").noneMatch(s -> s != null
                    && (s.contains(value) || s.contains(base64)));
        }
    }

    @Test
    void secretsAndConfigMapsAreCreatedListedWithKeysOnlyAndSecretsAreNeverReadBack() {
        ConfigObject secret = client.createConfig(new ConfigDefinition("cfg", "db", ConfigKind.SECRET,
                Map.of("password", VALUE, "user", "app")));
        ConfigObject map = client.createConfig(new ConfigDefinition("cfg", "settings", ConfigKind.CONFIG,
                Map.of("app.yaml", "level: info\n")));
        assertThat(secret.nativeId()).isEqualTo("cfg/Secret/db");
        assertThat(secret.keys()).containsExactly("password", "user");
        assertThat(map.nativeId()).isEqualTo("cfg/ConfigMap/settings");
        assertThat(client.capabilities()).contains(Capability.SECRETS, Capability.CONFIGS, Capability.LABEL);

        var stored = cluster.fabric8.secrets().inNamespace("cfg").withName("db").get();
        assertThat(stored.getType()).isEqualTo("Opaque");
        assertThat(stored.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "gantry");
        assertThat(new String(Base64.getDecoder().decode(stored.getData().get("password")), StandardCharsets.UTF_8))
                .isEqualTo(VALUE);
        // the cluster's own secrets are not configuration
        cluster.fabric8.secrets().inNamespace("cfg").resource(new SecretBuilder().withNewMetadata().withName("sa-token")
                .withNamespace("cfg").endMetadata().withType("kubernetes.io/service-account-token")
                .addToData("token", "dG9rZW4=").build()).create();
        cluster.fabric8.secrets().inNamespace("cfg").resource(new SecretBuilder().withNewMetadata()
                .withName("sh.helm.release.v1.x.v1").withNamespace("cfg").endMetadata().withType("helm.sh/release.v1")
                .addToData("release", "cmVsZWFzZQ==").build()).create();
        await("both listed from the cache", () -> client.listConfigs().stream()
                .filter(c -> c.namespace().equals("cfg")).count() == 2);
        assertThat(client.listConfigs()).filteredOn(c -> c.namespace().equals("cfg"))
                .extracting(ConfigObject::nativeId, ConfigObject::kind, ConfigObject::keys)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("cfg/ConfigMap/settings", ConfigKind.CONFIG, List.of("app.yaml")),
                        org.assertj.core.groups.Tuple.tuple("cfg/Secret/db", ConfigKind.SECRET, List.of("password", "user")));
        assertThat(client.listConfigs()).allSatisfy(c -> assertThat(c.version()).isNotBlank());

        assertThat(client.readConfig("cfg/ConfigMap/settings")).containsExactly(Map.entry("app.yaml", "level: info\n"));
        assertThatThrownBy(() -> client.readConfig("cfg/Secret/db")).satisfies(KubernetesConfigsTest::seen)
                .isInstanceOf(UnsupportedCapabilityException.class);
        assertThatThrownBy(() -> client.createConfig(new ConfigDefinition("cfg", "db", ConfigKind.SECRET,
                Map.of("password", VALUE)))).satisfies(KubernetesConfigsTest::seen)
                .isInstanceOf(EngineConflictException.class).hasMessageContaining("db");
        assertThatThrownBy(() -> client.createConfig(new ConfigDefinition("cfg", "bad", ConfigKind.SECRET,
                Map.of("no/slash", VALUE)))).satisfies(KubernetesConfigsTest::seen)
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors())
                        .extracting(InvalidSpecException.FieldError::field).containsExactly("data.no/slash"));
        assertThatThrownBy(() -> client.readConfig("cfg/ConfigMap/none")).satisfies(KubernetesConfigsTest::seen)
                .isInstanceOf(WorkloadNotFoundException.class);
    }

    @Test
    void aDeploymentReferencesThemAsEnvAndFilesAndReadsBackTheSameRefs() {
        client.createConfig(new ConfigDefinition("refs", "db", ConfigKind.SECRET, Map.of("password", VALUE)));
        client.createConfig(new ConfigDefinition("refs", "app", ConfigKind.CONFIG, Map.of("app.yaml", "a: 1", "level", "info")));
        List<SecretRef> refs = List.of(
                SecretRef.env("db", "password", "DB_PASSWORD"),
                new SecretRef("app", ConfigKind.CONFIG, "level", "LOG_LEVEL", null, null),
                SecretRef.file("db", ConfigKind.SECRET, "password", "/etc/db/password", 0400),
                SecretRef.file("app", ConfigKind.CONFIG, null, "/etc/app", 0444));
        client.deploy(new WorkloadDefinition("refs", "api", WorkloadKind.SERVICE, Map.of(),
                spec("nginx:1.27", Map.of("PLAIN", "1"), refs)));

        Deployment d = cluster.fabric8.apps().deployments().inNamespace("refs").withName("api").get();
        var pod = d.getSpec().getTemplate().getSpec();
        var main = pod.getContainers().get(0);
        assertThat(main.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("DB_PASSWORD");
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("db");
            assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
        });
        assertThat(main.getEnv()).filteredOn(e -> e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null)
                .singleElement().satisfies(e -> assertThat(e.getValueFrom().getConfigMapKeyRef().getKey()).isEqualTo("level"));
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("secret-db-files");
            assertThat(v.getSecret().getSecretName()).isEqualTo("db");
            assertThat(v.getSecret().getItems()).singleElement().satisfies(i -> {
                assertThat(i.getKey()).isEqualTo("password");
                assertThat(i.getMode()).isEqualTo(0400);
            });
        });
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("config-app");
            assertThat(v.getConfigMap().getName()).isEqualTo("app");
            assertThat(v.getConfigMap().getDefaultMode()).isEqualTo(0444);
        });
        assertThat(main.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/etc/db/password");
            assertThat(m.getSubPath()).isEqualTo("password");
        });

        Workload read = client.getWorkload("refs/Deployment/api").orElseThrow();
        assertThat(read.spec().secrets()).containsExactlyInAnyOrderElementsOf(refs);
        assertThat(read.spec().env()).containsExactly(Map.entry("PLAIN", "1"));
        await("listed with the same refs", () -> listed("refs/Deployment/api")
                .filter(w -> w.spec().secrets().size() == refs.size()).isPresent());
        assertThat(listed("refs/Deployment/api").orElseThrow().spec().secrets()).containsExactlyInAnyOrderElementsOf(refs);

        // an update that drops the file refs removes their volumes and mounts, and keeps the rest
        client.update("refs/Deployment/api", spec("nginx:1.28", Map.of("PLAIN", "1"), refs.subList(0, 2)));
        var updated = cluster.fabric8.apps().deployments().inNamespace("refs").withName("api").get()
                .getSpec().getTemplate().getSpec();
        assertThat(updated.getVolumes()).isNullOrEmpty();
        assertThat(client.getWorkload("refs/Deployment/api").orElseThrow().spec().secrets())
                .containsExactlyElementsOf(refs.subList(0, 2));
        assertThat(client.getWorkload("refs/Deployment/api").orElseThrow().nativeObject()).doesNotContain(VALUE);

        assertThatThrownBy(() -> client.deploy(new WorkloadDefinition("refs", "bad", WorkloadKind.SERVICE, Map.of(),
                spec("nginx", Map.of(), List.of(new SecretRef("db", ConfigKind.SECRET, "password", null, "relative", null))))))
                .satisfies(KubernetesConfigsTest::seen)
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors())
                        .extracting(InvalidSpecException.FieldError::field).containsExactly("spec.secrets[0].path"));
    }

    @Test
    void envFromExpandsToOneRefPerKeyOnceTheObjectIsCached() {
        client.createConfig(new ConfigDefinition("envfrom", "creds", ConfigKind.SECRET, Map.of("user", "u", "password", VALUE)));
        cluster.fabric8.apps().deployments().inNamespace("envfrom").resource(new DeploymentBuilder()
                .withNewMetadata().withName("legacy").withNamespace("envfrom").endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "legacy").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "legacy").endMetadata().withNewSpec()
                .addToContainers(new ContainerBuilder().withName("legacy").withImage("busybox")
                        .withEnvFrom(new EnvFromSourceBuilder().withPrefix("DB_").withNewSecretRef().withName("creds")
                                .endSecretRef().build()).build())
                .endSpec().endTemplate().endSpec().build()).create();
        await("envFrom expanded", () -> listed("envfrom/Deployment/legacy")
                .filter(w -> w.spec().secrets().size() == 2).isPresent());
        assertThat(listed("envfrom/Deployment/legacy").orElseThrow().spec().secrets()).containsExactly(
                SecretRef.env("creds", "password", "DB_password"), SecretRef.env("creds", "user", "DB_user"));
    }

    @Test
    void rotationReplacesTheDataAndRestartsOnlyWhatReadsItAtStart() {
        ConfigObject secret = client.createConfig(new ConfigDefinition("rot", "db", ConfigKind.SECRET,
                Map.of("password", VALUE, "old", "x")));
        client.deploy(new WorkloadDefinition("rot", "env-user", WorkloadKind.SERVICE, Map.of(),
                spec("nginx", Map.of(), List.of(SecretRef.env("db", "password", "DB_PASSWORD")))));
        client.deploy(new WorkloadDefinition("rot", "dir-user", WorkloadKind.SERVICE, Map.of(),
                spec("nginx", Map.of(), List.of(SecretRef.file("db", ConfigKind.SECRET, null, "/etc/db", null)))));

        ConfigObject rotated = client.rotateConfig(secret.nativeId(), Map.of("password", ROTATED));
        assertThat(rotated.version()).isNotEqualTo(secret.version());
        assertThat(rotated.keys()).containsExactly("password");
        var stored = cluster.fabric8.secrets().inNamespace("rot").withName("db").get();
        assertThat(stored.getData()).containsOnlyKeys("password");
        assertThat(new String(Base64.getDecoder().decode(stored.getData().get("password")), StandardCharsets.UTF_8))
                .isEqualTo(ROTATED);
        assertThat(restartedAt("env-user")).as("env is read at start: rolled").isNotNull();
        assertThat(restartedAt("dir-user")).as("a volume is updated in place: not rolled").isNull();
        await("the cache has the new keys", () -> client.listConfigs().stream()
                .anyMatch(c -> c.nativeId().equals("rot/Secret/db") && c.keys().equals(List.of("password"))));

        assertThatThrownBy(() -> client.rotateConfig("rot/Secret/none", Map.of("a", "b"))).satisfies(KubernetesConfigsTest::seen)
                .isInstanceOf(WorkloadNotFoundException.class).hasMessageContaining("rot/Secret/none");
        assertThatThrownBy(() -> client.deleteConfig("rot/Secret/db")).satisfies(KubernetesConfigsTest::seen)
                .isInstanceOf(EngineConflictException.class)
                .hasMessageContaining("rot/Deployment/env-user").hasMessageContaining("rot/Deployment/dir-user");
        client.delete("rot/Deployment/env-user");
        client.delete("rot/Deployment/dir-user");
        client.deleteConfig("rot/Secret/db");
        assertThat(cluster.fabric8.secrets().inNamespace("rot").withName("db").get()).isNull();
        await("gone from the cache", () -> client.listConfigs().stream().noneMatch(c -> c.nativeId().equals("rot/Secret/db")));
    }

    @Test
    void relabelChangesTheObjectsLabelsOnlyNeverTheSelectorOrTemplate() {
        client.deploy(new WorkloadDefinition("labels", "web", WorkloadKind.SERVICE, Map.of("team", "a", "tier", "web"),
                spec("nginx", Map.of(), List.of())));
        client.relabel("labels/Deployment/web", Map.of("team", "b", "owner", "ops"));
        Deployment d = cluster.fabric8.apps().deployments().inNamespace("labels").withName("web").get();
        assertThat(d.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of("team", "b", "owner", "ops"));
        assertThat(d.getSpec().getSelector().getMatchLabels()).containsExactly(Map.entry("gantry.io/workload", "web"));
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("gantry.io/workload", "web")
                .containsEntry("team", "a");
        assertThat(client.getWorkload("labels/Deployment/web").orElseThrow().labels())
                .containsEntry("team", "b").containsEntry("owner", "ops").doesNotContainKey("tier");
        assertThatThrownBy(() -> client.relabel("labels/Deployment/web", Map.of("bad key", "x")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors())
                        .extracting(InvalidSpecException.FieldError::field).containsExactly("labels"));
        assertThatThrownBy(() -> client.relabel("labels/Deployment/none", Map.of("a", "b")))
                .isInstanceOf(WorkloadNotFoundException.class);
    }

    @Test
    void credentialsThatMayNotListSecretsLeaveSecretsOutOfTheCapabilitiesAndTheEngineUp() {
        cluster.front.forbid("secrets");
        try (EngineClient limited = engine.connect(Map.of())) {
            limited.listWorkloads();
            assertThat(limited.capabilities()).doesNotContain(Capability.SECRETS).contains(Capability.CONFIGS);
            assertThat(limited.ping().degraded()).as("secrets are optional").isFalse();
            assertThat(limited.listConfigs()).noneMatch(c -> c.kind() == ConfigKind.SECRET);
        } finally {
            cluster.front.allowAll();
        }
    }

    private static String restartedAt(String deployment) {
        var annotations = cluster.fabric8.apps().deployments().inNamespace("rot").withName(deployment).get()
                .getSpec().getTemplate().getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(KubernetesWorkloadMapper.RESTARTED_AT);
    }

    private static Optional<Workload> listed(String nativeId) {
        return client.listWorkloads().stream().filter(w -> w.nativeId().equals(nativeId)).findFirst();
    }

    private static WorkloadSpec spec(String image, Map<String, String> env, List<SecretRef> secrets) {
        return new WorkloadSpec(image, null, null, env, null, null, 1, null, null, null, secrets);
    }

    private static void seen(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.add(t.getMessage());
            messages.add(t.toString());
        }
    }

    private static void await(String what, Supplier<Boolean> condition) {
        RecordingListener.await(what, SETTLE, condition::get);
    }
}
