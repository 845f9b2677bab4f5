package io.gantry.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.HealthCheck;
import io.gantry.spi.HostileDocuments;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.ManifestFormat;
import io.gantry.spi.ManifestFormatChecks;
import io.gantry.spi.ManifestLimits;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Resources;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ComposeFormatTest {
    private final ComposeFormat compose = new ComposeFormat();

    /** Every Swarm service among the fixtures: Docker JSON -> model -> Compose -> model keeps every mapped field. */
    @Test
    void everyServiceFixtureRoundTripsThroughCompose() {
        int services = 0;
        for (String fixture : SwarmFixtures.all()) {
            for (JsonNode service : services(fixture)) {
                Workload w = SwarmServiceReader.workload(service, List.of(), Map.of());
                WorkloadDefinition original = definition(w);
                ManifestFormat.Rendered rendered = compose.render(original);
                List<ManifestFormat.Parsed> parsed = compose.parse(rendered.document());
                assertThat(parsed).as(fixture).hasSize(1);
                assertThat(parsed.get(0).definition()).as(fixture + "\n" + rendered.document()).isEqualTo(original);
                services++;
            }
        }
        assertThat(services).as("services among the fixtures").isGreaterThanOrEqualTo(8);
    }

    /** No fixture is a Compose file: each is refused as such with field errors, never with another exception. */
    @Test
    void everyFixtureThatIsNoComposeFileIsRefusedCleanly() throws IOException {
        for (String fixture : SwarmFixtures.all()) {
            String text = Files.readString(SwarmFixtures.dir().resolve(fixture));
            assertThatThrownBy(() -> compose.parse(text)).as(fixture).isInstanceOf(InvalidSpecException.class)
                    .satisfies(e -> assertThat(((InvalidSpecException) e).errors()).isNotEmpty());
        }
    }

    @Test
    void threeServicesWithComposeNotations() {
        String file = """
                name: shop
                x-common: &common
                  restart: always
                services:
                  web:
                    <<: *common
                    image: nginx:1.27
                    command: ["nginx", "-g", "daemon off;"]
                    environment:
                      MODE: prod
                      PORT: 8080
                    ports:
                      - "8080:80"
                      - target: 443
                        published: 8443
                        protocol: tcp
                        mode: host
                    healthcheck:
                      test: ["CMD", "wget", "-q", "http://localhost/"]
                      interval: 1m30s
                      timeout: 500ms
                    deploy:
                      replicas: 3
                      labels: [tier=front]
                      resources:
                        limits: {cpus: "0.5", memory: 256M}
                      placement:
                        constraints: [node.labels.zone==a]
                  agent:
                    image: busybox
                    entrypoint: sleep
                    command: "3600"
                    deploy: {mode: global}
                  migrate:
                    image: busybox
                    environment: [A=1, B=two=2]
                    networks: [back]
                    deploy: {mode: replicated-job, replicas: 2}
                networks:
                  back: {}
                """;
        List<ManifestFormat.Parsed> parsed = compose.parse(file);

        assertThat(parsed).extracting(p -> p.definition().name()).containsExactly("web", "agent", "migrate");
        WorkloadDefinition web = parsed.get(0).definition();
        assertThat(web.namespace()).isEqualTo("shop");
        assertThat(web.labels()).containsExactly(Map.entry("tier", "front"));
        assertThat(web.spec().image()).isEqualTo("nginx:1.27");
        assertThat(web.spec().command()).isEmpty();
        assertThat(web.spec().args()).containsExactly("nginx", "-g", "daemon off;");
        assertThat(web.spec().env()).containsExactly(Map.entry("MODE", "prod"), Map.entry("PORT", "8080"));
        assertThat(web.spec().ports()).containsExactly(new PortMapping(80, 8080, "tcp"), new PortMapping(443, 8443, "tcp"));
        assertThat(web.spec().resources()).isEqualTo(new Resources(500L, 268435456L));
        assertThat(web.spec().replicas()).isEqualTo(3);
        assertThat(web.spec().constraints()).containsExactly("node.labels.zone==a");
        assertThat(web.spec().healthCheck()).isEqualTo(new HealthCheck(HealthCheck.Type.COMMAND, null, null,
                List.of("wget", "-q", "http://localhost/"), 90, 1));
        assertThat(parsed.get(0).warnings()).containsExactly("services.web.restart is not kept: the workload model has no such field");
        WorkloadDefinition agent = parsed.get(1).definition();
        assertThat(agent.kind()).isEqualTo(WorkloadKind.DAEMON);
        assertThat(agent.spec().command()).containsExactly("sleep");
        assertThat(agent.spec().args()).containsExactly("3600");
        WorkloadDefinition migrate = parsed.get(2).definition();
        assertThat(migrate.kind()).isEqualTo(WorkloadKind.JOB);
        assertThat(migrate.spec().replicas()).isEqualTo(2);
        assertThat(migrate.spec().env()).containsEntry("B", "two=2");
        assertThat(parsed.get(2).warnings()).anyMatch(w -> w.contains("networks"));
    }

    @Test
    void whatComposeCannotExpressIsAWarning() {
        WorkloadSpec spec = new WorkloadSpec("redis:7", null, null, null, List.of(PortMapping.tcp(6379)),
                new Resources(1500L, 1536L * 1024), 2, HealthCheck.tcp(6379, 5), null, "runc");
        ManifestFormat.Rendered r = compose.render(new WorkloadDefinition("data", "cache", WorkloadKind.STATEFUL,
                Map.of("app", "cache"), spec));
        assertThat(r.warnings()).hasSize(2).anyMatch(w -> w.contains("stateful")).anyMatch(w -> w.contains("runtime"));
        assertThat(r.document()).contains("name: data", "cache:", "cpus: '1.5'", "memory: 1572864b",
                "nc -w 2 127.0.0.1 6379");
        assertThat(compose.engineKind()).isEqualTo("swarm");
        assertThat(compose.nativeNotation(spec)).containsExactly(Map.entry("spec.resources.cpuMillis", "NanoCPUs: 1500000000"),
                Map.entry("spec.resources.memoryBytes", "MemoryBytes: 1572864"));
        WorkloadDefinition back = compose.parse(r.document()).get(0).definition();
        assertThat(back.spec().healthCheck()).isEqualTo(new HealthCheck(HealthCheck.Type.TCP, null, 6379, null, 5, null));
        assertThat(back.spec().resources()).isEqualTo(new Resources(1500L, 1572864L));
    }

    @Test
    void secretReferencesAreNotWrittenAndSaySo() {
        WorkloadSpec spec = new WorkloadSpec("redis:7", null, null, null, null, null, 1, null, null, null,
                List.of(io.gantry.spi.config.SecretRef.file("db-pass", null, "password", "/run/secrets/db", null)));
        ManifestFormat.Rendered r = compose.render(new WorkloadDefinition("", "cache", WorkloadKind.SERVICE, Map.of(), spec));
        assertThat(r.warnings()).singleElement().satisfies(w -> assertThat(w).startsWith("spec.secrets: 1 "));
        assertThat(r.document()).doesNotContain("db-pass", "secrets");
    }

    @Test
    void unknownTopLevelKeyAndWrongTypesAreFieldErrors() {
        String file = """
                services:
                  web:
                    image: [nginx]
                    ports: ["eighty"]
                    deploy: {replicas: "three", resources: {limits: {memory: lots}}}
                servics:
                  typo: {}
                """;
        assertThatThrownBy(() -> compose.parse(file)).isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(((InvalidSpecException) e).errors()).extracting(InvalidSpecException.FieldError::field)
                        .containsExactlyInAnyOrder("servics", "services.web.image", "services.web.ports[0]",
                                "services.web.deploy.replicas", "services.web.deploy.resources.limits.memory"));
    }

    @Test
    void aliasBombIsRefusedBeforeItExpands() {
        StringBuilder bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            char prev = (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                bomb.append(i == 0 ? "" : ",").append('*').append(prev);
            }
            bomb.append("]\n");
        }
        bomb.append("services: {x: {image: *j}}\n");
        assertThatThrownBy(() -> compose.parse(bomb.toString())).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("aliases");
    }

    @Test
    void theTwentyThreeAnchorBombIsRefusedByTheParseBudgetWithoutExpanding() {
        HostileDocuments.Refusal r = HostileDocuments.refusal(() -> compose.parse(HostileDocuments.aliasBomb()
                + "services: {x: {image: busybox, command: *a22}}\n"));
        assertThat(r.thrown()).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("more than " + ManifestLimits.MAX_NODES + " nodes").hasMessageContaining("parse budget");
        assertThat(((InvalidSpecException) r.thrown()).errors()).extracting(InvalidSpecException.FieldError::field)
                .containsExactly("manifest");
        r.assertNotExpanded();
    }

    @Test
    void wrongTypesAndNumbersOutOfRangeNameTheirField() {
        String file = """
                name: [shop]
                services:
                  web:
                    image: nginx
                    ports: "80:80"
                    deploy: {replicas: 12345678901, mode: [global]}
                  api:
                    image: nginx
                    entrypoint: {sh: x}
                    ports: ["99999999999:80", {target: 70000}, {target: 80, published: -1}, {target: 80, protocol: [tcp]}]
                    deploy: {replicas: -2, resources: {limits: {cpus: [1]}}}
                    healthcheck: {test: [CMD, "true"], interval: 99999999999999999999h}
                  db: redis
                """;
        assertThatThrownBy(() -> compose.parse(file)).isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(((InvalidSpecException) e).errors()).extracting(InvalidSpecException.FieldError::field)
                        .containsExactlyInAnyOrder("name", "services.web.ports", "services.web.deploy.replicas",
                                "services.web.deploy.mode", "services.api.entrypoint", "services.api.ports[0]",
                                "services.api.ports[1].target", "services.api.ports[2].published",
                                "services.api.ports[3].protocol", "services.api.deploy.replicas",
                                "services.api.deploy.resources.limits.cpus", "services.api.healthcheck.interval", "services.db"));
        assertThatThrownBy(() -> compose.parse("services: {web: {image: a}}\n---\nservices: {}\n"))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("one YAML document");
        assertThatThrownBy(() -> compose.parse("services:\n  web: {image: a, image: b}\n"))
                .isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(((InvalidSpecException) e).errors().get(0).field()).isEqualTo("services.web.image"));
    }

    @Test
    void mergeKeysAndAnchorsOfEverydayComposeFilesStillWork() {
        List<ManifestFormat.Parsed> parsed = compose.parse("""
                x-defaults: &defaults
                  image: busybox:1
                  deploy: {replicas: 2}
                services:
                  a: {<<: *defaults, command: [sleep, "1"]}
                  b:
                    <<: *defaults
                    image: redis:7
                """);
        assertThat(parsed).extracting(p -> p.definition().spec().image()).containsExactly("busybox:1", "redis:7");
        assertThat(parsed).extracting(p -> p.definition().spec().replicas()).containsExactly(2, 2);
    }

    @Test
    void foundByServiceLoader() {
        ManifestFormatChecks.assertFoundByServiceLoader("compose");
    }

    private static WorkloadDefinition definition(Workload w) {
        Map<String, String> labels = new LinkedHashMap<>(w.labels());
        labels.remove(SwarmServiceReader.STACK_NAMESPACE_LABEL);
        return new WorkloadDefinition(w.namespace(), w.name(), w.kind(), labels, w.spec());
    }

    /** The services in a fixture: a {@code GET /services} list or one service object; none for anything else. */
    private static List<JsonNode> services(String fixture) {
        if (!fixture.endsWith(".json")) {
            return List.of();
        }
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode item : SwarmFixtures.items(SwarmFixtures.json(fixture))) {
            if (item.path("Spec").has("TaskTemplate")) {
                out.add(item);
            }
        }
        return out;
    }
}
