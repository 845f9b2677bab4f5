package io.gantry.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.RequiredEngine;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Secrets and configs on the real dockerd (issue 21's Done-when at adapter level): created through the client and
 * seen by {@code docker secret ls}, read as files in a task's container, rotated to a new version the service then
 * reads, refused while in use; values never in a message, a nativeObject or a log line.
 */
class SwarmConfigsIT {
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static SwarmEngineClient client;
    private static Logger gantryLogger;
    private static ListAppender<ILoggingEvent> logLines;
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final List<String> services = new ArrayList<>();
    private final List<String> objects = new ArrayList<>();

    @BeforeAll
    static void connect() {
        RequiredEngine.require(LocalSwarm.available(), LocalSwarm.REQUIRED);
        client = (SwarmEngineClient) new SwarmEngineAdapter().connect(LocalSwarm.connection());
        gantryLogger = (Logger) LoggerFactory.getLogger("io.gantry");
        gantryLogger.setLevel(Level.DEBUG);
        logLines = new ListAppender<>();
        logLines.start();
        gantryLogger.addAppender(logLines);
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.close();
        }
        if (gantryLogger != null) {
            gantryLogger.detachAppender(logLines);
        }
    }

    @AfterEach
    void cleanUp() {
        LocalSwarm.removeServices(services.toArray(String[]::new));
        for (String object : objects) {
            String kind = object.substring(0, object.indexOf(' '));
            String prefix = object.substring(object.indexOf(' ') + 1);
            for (String name : LocalSwarm.docker(kind, "ls", "--format", "{{.Name}}").split("\n")) {
                if (name.startsWith(prefix)) {
                    LocalSwarm.run(Duration.ofSeconds(30), "/usr/bin/docker", kind, "rm", name);
                }
            }
        }
    }

    @Test
    void aSecretIsReadAsAFileRotatedIntoTheServiceAndRefusedDeletionWhileInUse() {
        String name = "it-pw-" + suffix;
        String first = "first-" + UUID.randomUUID();
        String second = "second-" + UUID.randomUUID();
        objects.add("secret " + name);

        ConfigObject created = client.createConfig(new ConfigDefinition("", name, ConfigKind.SECRET, Map.of("password", first)));
        assertThat(created.nativeId()).isEqualTo("secret//" + name);
        assertThat(created.keys()).containsExactly("password");
        assertThat(created.version()).isEqualTo("1");
        assertThat(lines(LocalSwarm.docker("secret", "ls", "--format", "{{.Name}}"))).contains(name);
        assertThat(client.listConfigs()).contains(created);
        assertThatThrownBy(() -> client.createConfig(new ConfigDefinition("", name, ConfigKind.SECRET, Map.of("password", first))))
                .isInstanceOf(EngineConflictException.class);

        SecretRef ref = SecretRef.file(name, ConfigKind.SECRET, "password", "/run/secrets/" + name, null);
        String service = deploy("it-secret-" + suffix, List.of(ref));
        String container = runningContainer(service, null);
        assertThat(LocalSwarm.docker("exec", container, "cat", "/run/secrets/" + name)).isEqualTo(first);
        Workload workload = client.getWorkload(service).orElseThrow();
        assertThat(workload.spec().secrets()).containsExactly(ref);
        assertThat(workload.nativeObject()).doesNotContain(first);

        assertThatThrownBy(() -> client.deleteConfig(created.nativeId()))
                .isInstanceOf(EngineConflictException.class)
                .hasMessageContaining("it-secret-" + suffix)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(first));

        ConfigObject rotated = client.rotateConfig(created.nativeId(), Map.of("password", second));
        assertThat(rotated.nativeId()).isEqualTo(created.nativeId());
        assertThat(rotated.version()).isEqualTo("2");
        assertThat(lines(LocalSwarm.docker("secret", "ls", "--format", "{{.Name}}"))).contains(name + "-v2").doesNotContain(name);
        assertThat(LocalSwarm.docker("service", "inspect", service, "--format",
                "{{range .Spec.TaskTemplate.ContainerSpec.Secrets}}{{.SecretName}} {{.File.Name}}{{end}}"))
                .isEqualTo(name + "-v2 /run/secrets/" + name);
        String next = runningContainer(service, container);
        assertThat(LocalSwarm.docker("exec", next, "cat", "/run/secrets/" + name)).isEqualTo(second);
        Workload after = client.getWorkload(service).orElseThrow();
        assertThat(after.spec().secrets()).as("the logical name, not the version's").containsExactly(ref);
        assertThat(after.nativeObject()).doesNotContain(first).doesNotContain(second);
        assertThat(client.listConfigs()).filteredOn(c -> c.nativeId().equals(created.nativeId())).singleElement()
                .satisfies(c -> assertThat(c.version()).isEqualTo("2"));

        LocalSwarm.removeServices(service);
        awaitDeleted(created.nativeId());
        assertThat(lines(LocalSwarm.docker("secret", "ls", "--format", "{{.Name}}"))).noneMatch(n -> n.startsWith(name));
        assertThatThrownBy(() -> client.rotateConfig(created.nativeId(), Map.of("password", first)))
                .isInstanceOf(WorkloadNotFoundException.class);

        assertThat(logLines.list).extracting(ILoggingEvent::getFormattedMessage)
                .isNotEmpty()
                .noneMatch(line -> line.contains(first) || line.contains(second));
        assertThat(logLines.list).extracting(ILoggingEvent::getThrowableProxy).filteredOn(p -> p != null)
                .noneMatch(p -> String.valueOf(p.getMessage()).contains(first) || String.valueOf(p.getMessage()).contains(second));
    }

    @Test
    void aConfigOfSeveralKeysIsReadBackAndGivenAsADirectory() {
        String name = "it-cfg-" + suffix;
        objects.add("config " + name);
        Map<String, String> data = Map.of("a.conf", "alpha=1\n", "b.conf", "beta=2\n");
        ConfigObject created = client.createConfig(new ConfigDefinition("", name, ConfigKind.CONFIG, data));
        assertThat(created.keys()).containsExactly("a.conf", "b.conf");
        assertThat(lines(LocalSwarm.docker("config", "ls", "--format", "{{.Name}}"))).contains(name + ".a.conf", name + ".b.conf");
        assertThat(client.readConfig(created.nativeId())).isEqualTo(data);

        SecretRef directory = SecretRef.file(name, ConfigKind.CONFIG, null, "/etc/app", 0440);
        String service = deploy("it-config-" + suffix, List.of(directory));
        String container = runningContainer(service, null);
        assertThat(LocalSwarm.docker("exec", container, "cat", "/etc/app/a.conf", "/etc/app/b.conf")).isEqualTo("alpha=1\nbeta=2");
        assertThat(client.getWorkload(service).orElseThrow().spec().secrets()).containsExactly(directory);

        ConfigObject rotated = client.rotateConfig(created.nativeId(), Map.of("a.conf", "alpha=3\n", "b.conf", "beta=4\n"));
        assertThat(rotated.version()).isEqualTo("2");
        assertThat(client.readConfig(created.nativeId())).containsEntry("a.conf", "alpha=3\n");
        String next = runningContainer(service, container);
        assertThat(LocalSwarm.docker("exec", next, "cat", "/etc/app/a.conf")).isEqualTo("alpha=3");
        assertThatThrownBy(() -> client.rotateConfig(created.nativeId(), Map.of("a.conf", "alpha=5\n")))
                .as("a key the service reads cannot go").isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(((InvalidSpecException) e).errors()).extracting(InvalidSpecException.FieldError::field)
                        .containsExactly("data"));
    }

    @Test
    void aSecretInAStackIsPrefixedLikeDockerStackAndARelativeTargetLandsUnderRunSecrets() {
        String stack = "it-sk" + suffix;
        String value = "stacked-" + UUID.randomUUID();
        objects.add("secret " + stack + "_");
        ConfigObject created = client.createConfig(new ConfigDefinition(stack, "token", ConfigKind.SECRET, Map.of("token", value)));
        assertThat(created.nativeId()).isEqualTo("secret/" + stack + "/token");
        assertThat(created.namespace()).isEqualTo(stack);
        assertThat(LocalSwarm.docker("secret", "inspect", stack + "_token", "--format",
                "{{index .Spec.Labels \"com.docker.stack.namespace\"}} {{index .Spec.Labels \"io.gantry.config\"}}"))
                .isEqualTo(stack + " token");

        SecretRef relative = SecretRef.file("token", ConfigKind.SECRET, "token", "api/token", 0400);
        WorkloadDefinition plain = definition("user", List.of(relative));
        Workload deployed = client.deploy(new WorkloadDefinition(stack, "user", WorkloadKind.SERVICE, plain.labels(), plain.spec()));
        services.add(deployed.nativeId());
        assertThat(deployed.spec().secrets()).containsExactly(relative);
        String container = runningContainer(deployed.nativeId(), null);
        assertThat(LocalSwarm.docker("exec", container, "cat", "/run/secrets/api/token")).isEqualTo(value);
        assertThatThrownBy(() -> client.deploy(definition("outside-" + suffix, List.of(relative))))
                .as("a stack's secret is not the default namespace's").isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(fields(e)).containsExactly("spec.secrets[0].source"));
    }

    @Test
    void aSecretsValuesAreNeverReadBackAndObjectsMadeByHandAreOneKey() {
        String name = "it-hand-" + suffix;
        objects.add("secret " + name);
        LocalSwarm.run(Duration.ofSeconds(30), "sh", "-c", "printf hand-made | /usr/bin/docker secret create " + name + " -");
        ConfigObject listed = client.listConfigs().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
        assertThat(listed.kind()).isEqualTo(ConfigKind.SECRET);
        assertThat(listed.keys()).containsExactly("value");
        assertThatThrownBy(() -> client.readConfig(listed.nativeId())).isInstanceOf(UnsupportedCapabilityException.class);
    }

    @Test
    void envReferencesUnknownObjectsAndBadNamesAreRefusedNamingTheField() {
        WorkloadDefinition env = definition("it-env-" + suffix, List.of(SecretRef.env("db-pass", "password", "DB_PASS")));
        assertThatThrownBy(() -> client.checkDeploy(env)).isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(fields(e)).containsExactly("spec.secrets[0].env"));
        assertThatThrownBy(() -> client.deploy(env)).isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(fields(e)).containsExactly("spec.secrets[0].env"));
        WorkloadDefinition unknown = definition("it-unknown-" + suffix,
                List.of(SecretRef.file("nothing-" + suffix, ConfigKind.SECRET, "k", "/run/secrets/x", null)));
        assertThatThrownBy(() -> client.deploy(unknown)).isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(fields(e)).containsExactly("spec.secrets[0].source"));
        assertThat(LocalSwarm.run(Duration.ofSeconds(20), "/usr/bin/docker", "service", "inspect", "it-unknown-" + suffix).exitCode())
                .as("nothing was created").isNotZero();

        String secret = "value-" + UUID.randomUUID();
        assertThatThrownBy(() -> client.createConfig(new ConfigDefinition("", "bad name", ConfigKind.SECRET, Map.of("k/x", secret))))
                .isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(fields(e)).containsExactly("name", "data.k/x"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
        String big = secret + "x".repeat(500 * 1024);
        assertThatThrownBy(() -> client.createConfig(new ConfigDefinition("", "it-big-" + suffix, ConfigKind.SECRET,
                Map.of("big", big, "empty", ""))))
                .isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(fields(e)).containsExactly("data.big", "data.empty"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
        assertThat(LocalSwarm.docker("secret", "ls", "--format", "{{.Name}}")).doesNotContain("it-big-" + suffix);
    }

    @Test
    void relabelChangesOnlyTheLabelsAndKeepsTheStack() {
        String stack = "it-st" + suffix;
        Workload deployed = client.deploy(new WorkloadDefinition(stack, "labelled", WorkloadKind.SERVICE,
                Map.of(LocalSwarm.TEST_LABEL, "relabel", "team", "shop"), SwarmTestWorkloads.sleeper(1)));
        services.add(deployed.nativeId());
        client.relabel(deployed.nativeId(), Map.of("team", "billing", "tier", "gold"));
        Workload after = client.getWorkload(deployed.nativeId()).orElseThrow();
        assertThat(after.labels()).containsEntry("team", "billing").containsEntry("tier", "gold")
                .containsEntry(SwarmServiceReader.STACK_NAMESPACE_LABEL, stack)
                .as("Gantry's own io.gantry.* labels are kept").containsEntry(LocalSwarm.TEST_LABEL, "relabel");
        assertThat(after.namespace()).isEqualTo(stack);
        assertThat(after.spec()).isEqualTo(deployed.spec());
        assertThat(LocalSwarm.docker("service", "inspect", deployed.nativeId(), "--format", "{{.Spec.TaskTemplate.ForceUpdate}}"))
                .isEqualTo("0");
        assertThatThrownBy(() -> client.relabel(deployed.nativeId(), Map.of("", "x")))
                .isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(fields(e)).containsExactly("labels"));
        assertThat(client.capabilities()).contains(io.gantry.spi.Capability.LABEL, io.gantry.spi.Capability.SECRETS,
                io.gantry.spi.Capability.CONFIGS);
    }

    private String deploy(String name, List<SecretRef> refs) {
        String id = client.deploy(definition(name, refs)).nativeId();
        services.add(id);
        return id;
    }

    private static WorkloadDefinition definition(String name, List<SecretRef> refs) {
        WorkloadSpec sleeper = SwarmTestWorkloads.sleeper(1);
        WorkloadSpec spec = new WorkloadSpec(sleeper.image(), sleeper.command(), sleeper.args(), sleeper.env(), sleeper.ports(),
                sleeper.resources(), sleeper.replicas(), sleeper.healthCheck(), sleeper.constraints(), sleeper.runtime(), refs);
        return new WorkloadDefinition("", name, WorkloadKind.SERVICE, Map.of(LocalSwarm.TEST_LABEL, "configs"), spec);
    }

    /** The id of a running container of the service other than {@code not} (its previous task's). */
    private static String runningContainer(String serviceId, String not) {
        AtomicReference<String> found = new AtomicReference<>();
        RecordingListener.await("a running container of " + serviceId, SETTLE, () -> {
            for (String id : lines(LocalSwarm.docker("ps", "-q", "--no-trunc", "--filter", "label=com.docker.swarm.service.id=" + serviceId))) {
                if (!id.isBlank() && !id.equals(not)) {
                    found.set(id);
                    return true;
                }
            }
            return false;
        });
        return found.get();
    }

    /** Deletes as soon as Swarm let go of the removed service's tasks. */
    private static void awaitDeleted(String nativeId) {
        RecordingListener.await("deleting " + nativeId, SETTLE, () -> {
            try {
                client.deleteConfig(nativeId);
                return true;
            } catch (EngineConflictException e) {
                return false;
            }
        });
    }

    private static List<String> fields(Throwable e) {
        return ((InvalidSpecException) e).errors().stream().map(InvalidSpecException.FieldError::field).toList();
    }

    private static List<String> lines(String output) {
        return Arrays.asList(output.split("\n"));
    }
}
