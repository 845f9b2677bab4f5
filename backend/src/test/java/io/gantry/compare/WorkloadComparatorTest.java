package io.gantry.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.Engine.EngineRef;
import io.gantry.spi.HealthCheck;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.SecretRef;
import io.gantry.spi.Phase;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Quantities;
import io.gantry.spi.Resources;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.WorkloadStatus;
import io.gantry.workload.WorkloadView;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WorkloadComparatorTest {
    private static final WorkloadStatus RUNNING = new WorkloadStatus(Phase.RUNNING, 2, 2, 2, "", Instant.EPOCH);

    @Test
    void notationsThatMeanTheSameAreEqual() {
        Map<String, String> envAb = new LinkedHashMap<>();
        envAb.put("A", "1");
        envAb.put("B", "2");
        Map<String, String> envBa = new LinkedHashMap<>();
        envBa.put("B", "2");
        envBa.put("A", "1");
        // Marathon's cpus: 0.5 / mem: 256 and Kubernetes' 500m / 256Mi, as their adapters parse them
        Resources marathon = new Resources(Quantities.coresToMillis(0.5), Quantities.mebibytesToBytes(256));
        Resources kubernetes = new Resources(Quantities.parseCpuMillis("500m"), Quantities.parseMemoryBytes("256Mi"));
        WorkloadView a = view("a", "nginx", envAb, List.of(PortMapping.tcp(80), new PortMapping(53, null, "udp")),
                marathon, List.of("zone==a", "disk==ssd"));
        WorkloadView b = view("b", "docker.io/library/nginx:latest", envBa,
                List.of(new PortMapping(53, null, "UDP"), PortMapping.tcp(80)), kubernetes, List.of("disk==ssd", "zone==a"));

        Comparison c = WorkloadComparator.compare(List.of(a, b), w -> w.name().equals("a")
                ? Map.of("spec.resources.cpuMillis", "cpus: 0.5") : Map.of("spec.resources.cpuMillis", "limits.cpu: 500m"));

        assertThat(c.differences()).as(c.fields().toString()).isZero();
        assertThat(field(c, "spec.resources.cpuMillis").nativeValues()).containsExactly("cpus: 0.5", "limits.cpu: 500m");
        assertThat(field(c, "spec.image").nativeValues()).isNull();
        assertThat(field(c, "spec.image").display()).containsExactly("nginx = docker.io/library/nginx:latest", null);
        assertThat(field(c, "spec.resources.cpuMillis").values()).containsExactly(500L, 500L);
        assertThat(field(c, "spec.resources.cpuMillis").display()).containsExactly("500m = 0.5 CPU", "500m = 0.5 CPU");
        assertThat(field(c, "spec.resources.memoryBytes").display())
                .containsExactly("256Mi = 268435456 bytes", "256Mi = 268435456 bytes");
        assertThat(field(c, "spec.env").values().get(0).toString()).isEqualTo(field(c, "spec.env").values().get(1).toString());
    }

    @Test
    void everySpecAndStatusFieldHasARowAndDifferencesAreCounted() {
        WorkloadView a = view("a", "nginx:1.27", Map.of("A", "1", "SAME", "x"), List.of(PortMapping.tcp(80)),
                new Resources(500L, null), List.of());
        WorkloadView b = view("b", "nginx:1.25", Map.of("A", "2", "B", "3", "SAME", "x"), List.of(new PortMapping(80, 8080, "tcp")),
                new Resources(1000L, 1L << 28), List.of());

        Comparison c = WorkloadComparator.compare(List.of(a, b));

        assertThat(c.fields()).extracting(Comparison.Field::path).contains("kind", "labels", "spec.image", "spec.command",
                "spec.args", "spec.env", "spec.ports", "spec.resources.cpuMillis", "spec.resources.memoryBytes",
                "spec.replicas", "spec.healthCheck.type", "spec.healthCheck.path", "spec.healthCheck.port",
                "spec.healthCheck.command", "spec.healthCheck.intervalSeconds", "spec.healthCheck.timeoutSeconds",
                "spec.constraints", "spec.runtime", "spec.secrets", "status.phase", "status.desired", "status.running",
                "status.healthy", "status.message", "status.since");
        assertThat(c.fields()).filteredOn(f -> !f.equal()).extracting(Comparison.Field::path)
                .containsExactlyInAnyOrder("spec.image", "spec.env", "spec.ports", "spec.resources.cpuMillis",
                        "spec.resources.memoryBytes");
        assertThat(c.differences()).isEqualTo(5);
        assertThat(field(c, "spec.env").differingKeys()).containsExactly("A", "B");
        assertThat(field(c, "spec.resources.memoryBytes").values()).containsExactly(null, 268435456L);
        assertThat(field(c, "spec.healthCheck.type").values()).containsExactly(HealthCheck.Type.HTTP, HealthCheck.Type.HTTP);
        assertThat(c.workloads()).extracting(Comparison.Compared::name).containsExactly("a", "b");
    }

    @Test
    void referencesAreComparedAsASetAndShownByNameNeverByValue() {
        SecretRef env = SecretRef.env("db-pass", "password", "DB_PASSWORD");
        SecretRef file = SecretRef.file("app-conf", ConfigKind.CONFIG, null, "/etc/app", 0400);
        WorkloadView a = withSecrets(view("a", "nginx:1", Map.of(), List.of(), new Resources(null, null), List.of()),
                List.of(env, file));
        WorkloadView b = withSecrets(view("b", "nginx:1", Map.of(), List.of(), new Resources(null, null), List.of()),
                List.of(file, env));
        WorkloadView c = withSecrets(view("c", "nginx:1", Map.of(), List.of(), new Resources(null, null), List.of()),
                List.of(env));

        assertThat(field(WorkloadComparator.compare(List.of(a, b)), "spec.secrets").equal()).isTrue();
        Comparison.Field differing = field(WorkloadComparator.compare(List.of(a, c)), "spec.secrets");
        assertThat(differing.equal()).isFalse();
        assertThat(differing.display()).containsExactly(
                "secret db-pass[password] -> env DB_PASSWORD, config app-conf -> /etc/app (0400)",
                "secret db-pass[password] -> env DB_PASSWORD");
    }

    private static WorkloadView withSecrets(WorkloadView w, List<SecretRef> secrets) {
        WorkloadSpec s = w.spec();
        WorkloadSpec spec = new WorkloadSpec(s.image(), s.command(), s.args(), s.env(), s.ports(), s.resources(),
                s.replicas(), s.healthCheck(), s.constraints(), s.runtime(), secrets);
        return new WorkloadView(w.id(), w.engine(), w.nativeId(), w.namespace(), w.name(), w.kind(), w.labels(), spec,
                w.status(), w.instances(), w.createdAt(), w.syncedAt(), w.updatedAt(), w.stale());
    }

    @Test
    void imageNamesTakeTheDaemonsDefaults() {
        assertThat(ImageName.canonical("nginx")).isEqualTo("docker.io/library/nginx:latest");
        assertThat(ImageName.canonical("bitnami/redis:7")).isEqualTo("docker.io/bitnami/redis:7");
        assertThat(ImageName.canonical("index.docker.io/library/nginx:1.27")).isEqualTo("docker.io/library/nginx:1.27");
        assertThat(ImageName.canonical("localhost:5000/app")).isEqualTo("localhost:5000/app:latest");
        assertThat(ImageName.canonical("registry.example.com/team/app:2@sha256:abc"))
                .isEqualTo("registry.example.com/team/app:2@sha256:abc");
        assertThat(ImageName.canonical("gantry-test/busybox:1")).isEqualTo("docker.io/gantry-test/busybox:1");
    }

    private static Comparison.Field field(Comparison c, String path) {
        return c.fields().stream().filter(f -> f.path().equals(path)).findFirst().orElseThrow();
    }

    private static WorkloadView view(String name, String image, Map<String, String> env, List<PortMapping> ports,
                                     Resources resources, List<String> constraints) {
        WorkloadSpec spec = new WorkloadSpec(image, List.of("/bin/sh", "-c"), List.of("httpd -f"), env, ports, resources,
                2, HealthCheck.http("/", 80, 10), constraints, null);
        return new WorkloadView(UUID.randomUUID(), new EngineRef(UUID.randomUUID(), "e-" + name, "test"), "ns/" + name,
                "ns", name, WorkloadKind.SERVICE, Map.of("app", "web"), spec, RUNNING, List.of(), Instant.EPOCH,
                Instant.EPOCH, Instant.EPOCH, false);
    }
}
