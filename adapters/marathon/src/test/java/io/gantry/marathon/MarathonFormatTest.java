package io.gantry.marathon;

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
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.SecretRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MarathonFormatTest {
    private final MarathonFormat format = new MarathonFormat();

    /**
     * Every Marathon fixture (testdata/fixtures/marathon): app, app list and group documents go native -> model -> native -> model
     * keeping every mapped field; every other file (tasks, deployments, RAML, SSE text) is refused with
     * field errors.
     */
    @Test
    void everyFixtureRoundTripsOrIsRefusedCleanly() throws IOException {
        int apps = 0;
        List<String> roundTripped = new ArrayList<>();
        for (Path fixture : fixtures()) {
            String text = Files.readString(fixture);
            List<ManifestFormat.Parsed> parsed;
            try {
                parsed = format.parse(text);
            } catch (InvalidSpecException e) {
                assertThat(e.errors()).as(fixture.toString()).isNotEmpty();
                continue;
            }
            roundTripped.add(fixture.getFileName().toString());
            for (ManifestFormat.Parsed p : parsed) {
                ManifestFormat.Rendered rendered = format.render(p.definition());
                List<ManifestFormat.Parsed> again = format.parse(rendered.document());
                assertThat(again).hasSize(1);
                if (rendered.warnings().isEmpty()) {
                    assertThat(again.get(0).definition()).as(fixture + "\n" + rendered.document()).isEqualTo(p.definition());
                    apps++;
                } else {
                    // the RAML example sets both cmd and args, which Marathon itself refuses: the loss is named
                    assertThat(rendered.warnings()).as(fixture.toString()).allMatch(w -> w.contains("cmd or args"));
                    assertThat(again.get(0).definition().spec().image()).isEqualTo(p.definition().spec().image());
                }
            }
        }
        assertThat(roundTripped).as("app documents among the fixtures").contains("app.json", "app_list.json",
                "group.json", "GET_v2_groups.json", "GET_v2_apps_embed_tasks_marathon-1.5_pywebserver.json");
        assertThat(apps).isGreaterThanOrEqualTo(6);
    }

    @Test
    void appFieldsAndWarnings() {
        String app = """
                {"id": "/shop/web", "cmd": "python3 -m http.server $PORT0", "instances": 2, "cpus": 0.5, "mem": 256,
                 "env": {"MODE": "prod", "DB": {"secret": "db"}}, "labels": {"team": "a"},
                 "constraints": [["zone", "CLUSTER", "a"]], "fetch": [{"uri": "http://x/y.tgz"}],
                 "portDefinitions": [{"port": 0, "protocol": "tcp"}],
                 "healthChecks": [{"protocol": "MESOS_HTTP", "path": "/", "portIndex": 0, "intervalSeconds": 20}]}
                """;
        ManifestFormat.Parsed p = format.parse(app).get(0);
        WorkloadDefinition d = p.definition();
        assertThat(d.namespace()).isEqualTo("shop");
        assertThat(d.name()).isEqualTo("web");
        assertThat(d.spec().resources()).isEqualTo(new Resources(500L, 268435456L));
        assertThat(d.spec().replicas()).isEqualTo(2);
        assertThat(d.spec().env()).containsExactly(Map.entry("MODE", "prod"));
        assertThat(d.spec().constraints()).containsExactly("zone:CLUSTER:a");
        assertThat(p.warnings()).anyMatch(w -> w.startsWith("fetch")).anyMatch(w -> w.contains("env.DB"));
    }

    @Test
    void secretReferencesRenderAsTheDocsShowAndWhatADcosSecretCannotServeIsAWarning() {
        WorkloadSpec spec = new WorkloadSpec("nginx:1.27", null, null, Map.of("A", "1"), null, null, 1, null, null,
                null, List.of(SecretRef.env("databasepassword", null, "DATABASE_PW"),
                SecretRef.env("db", "password", "DB_PASSWORD"),
                SecretRef.file("app-config", ConfigKind.CONFIG, null, "/etc/app", null),
                SecretRef.file("tls", ConfigKind.SECRET, null, "tls/key.pem", 0400)));
        ManifestFormat.Rendered r = format.render(new WorkloadDefinition("shop", "api", WorkloadKind.SERVICE, Map.of(),
                spec));
        assertThat(r.warnings()).anyMatch(w -> w.contains("key 'password'")).anyMatch(w -> w.contains("app-config"))
                .anyMatch(w -> w.contains("mode of secret file tls/key.pem"));
        WorkloadSpec again = format.parse(r.document()).get(0).definition().spec();
        assertThat(again.secrets()).containsExactly(SecretRef.env("databasepassword", null, "DATABASE_PW"),
                SecretRef.file("tls", ConfigKind.SECRET, null, "tls/key.pem", null));
        assertThat(format.parse(r.document()).get(0).warnings()).isEmpty();
    }

    @Test
    void whatMarathonCannotExpressIsAWarning() {
        WorkloadSpec spec = new WorkloadSpec("nginx:1.27", null, null, Map.of("A", "1"), List.of(PortMapping.tcp(80)),
                new Resources(250L, 128L << 20), null, HealthCheck.http("/", 80, 10),
                List.of("node.labels.zone==a", "node.role!=manager"), "runc");
        ManifestFormat.Rendered r = format.render(new WorkloadDefinition("ops", "logs", WorkloadKind.DAEMON, Map.of(), spec));
        assertThat(r.warnings()).anyMatch(w -> w.contains("DAEMON")).anyMatch(w -> w.contains("node.role!=manager"))
                .anyMatch(w -> w.contains("runtime"));
        assertThat(r.document()).contains("\"id\" : \"/ops/logs\"", "\"cpus\" : 0.25", "\"mem\" : 128", "\"zone\", \"CLUSTER\", \"a\"",
                "\"hostname\", \"UNIQUE\"");
        assertThat(format.engineKind()).isEqualTo("marathon");
        assertThat(format.nativeNotation(spec.withReplicas(3))).containsEntry("spec.resources.cpuMillis", "cpus: 0.25")
                .containsEntry("spec.resources.memoryBytes", "mem: 128").containsEntry("spec.replicas", "instances: 3");
        ManifestFormat.Rendered job = format.render(new WorkloadDefinition("", "batch", WorkloadKind.JOB, Map.of(),
                spec.withReplicas(1)));
        assertThat(job.warnings()).anyMatch(w -> w.contains("JOB"));
    }

    @Test
    void wrongTypesAreFieldErrorsAndNothingIsGuessed() {
        assertThatThrownBy(() -> format.parse("{\"id\": \"/web\", \"cmd\": \"x\", \"instances\": \"three\", \"cpus\": \"lots\", "
                + "\"env\": [\"A=1\"]}")).isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(((InvalidSpecException) e).errors()).extracting(InvalidSpecException.FieldError::field)
                        .containsExactlyInAnyOrder("instances", "cpus", "env"));
        assertThatThrownBy(() -> format.parse("{\"apps\": [{\"id\": \"/ok\", \"cmd\": \"x\"}, {\"id\": 7}]}"))
                .isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(((InvalidSpecException) e).errors().get(0).field()).isEqualTo("apps[1].id"));
        assertThatThrownBy(() -> format.parse("{\"id\": \"/Bad_Id\", \"cmd\": \"x\"}")).isInstanceOf(InvalidSpecException.class);
        assertThatThrownBy(() -> format.parse("{not json")).isInstanceOf(InvalidSpecException.class);
        assertThatThrownBy(() -> format.parse("[".repeat(5000))).isInstanceOf(InvalidSpecException.class);
    }

    @Test
    void hugeDeepOrAliasedDocumentsAreRefusedByTheParseBudgetWithoutExpanding() {
        String wide = "{\"id\": \"/web\", \"cmd\": \"x\", \"args\": " + HostileDocuments.wideJson(150_000) + "}";
        Map<String, String> refusals = Map.of(wide, "more than " + ManifestLimits.MAX_NODES + " nodes",
                "{\"apps\": " + HostileDocuments.deepJson(10_000) + "}", "deeper than " + ManifestLimits.MAX_NESTING,
                HostileDocuments.aliasBomb(), "not valid JSON",
                "{\"id\": \"" + "x".repeat(ManifestLimits.MAX_CODE_POINTS) + "\"}", "larger than");
        ManifestFormatChecks.assertRefusedUnexpanded(format, refusals);
    }

    @Test
    void numbersThatDoNotFitOrAreNegativeAndNestedWrongTypesNameTheirField() {
        assertErrors("{\"id\": \"/a\", \"cmd\": \"x\", \"instances\": 12345678901}", "instances");
        assertErrors("{\"id\": \"/a\", \"cmd\": \"x\", \"instances\": -1, \"cpus\": -0.5, \"mem\": -1}",
                "instances", "cpus", "mem");
        assertErrors("{\"id\": \"/a\", \"container\": {\"docker\": {\"image\": [\"nginx\"], "
                + "\"portMappings\": [{\"containerPort\": 70000}]}, \"portMappings\": \"80\"}, "
                + "\"portDefinitions\": [{\"port\": \"eighty\"}, 80], \"healthChecks\": [{\"intervalSeconds\": 1e20}]}",
                "portDefinitions[0].port", "portDefinitions[1]", "container.docker.image",
                "container.docker.portMappings[0].containerPort", "container.portMappings", "healthChecks[0].intervalSeconds");
        assertErrors("{\"apps\": [{\"id\": \"/a\", \"cmd\": \"x\"}, {\"id\": \"/b\", \"cmd\": \"x\", \"instances\": 2147483648}]}",
                "apps[1].instances");
        assertErrors("{\"id\": \"/a\", \"cmd\": \"x\", \"id\": \"/b\"}", "id");
        assertErrors("\"just a string\"", "manifest");
    }

    private void assertErrors(String document, String... fields) {
        ManifestFormatChecks.assertFieldErrors(format, document, fields);
    }

    @Test
    void foundByServiceLoader() {
        ManifestFormatChecks.assertFoundByServiceLoader("marathon");
    }

    private static List<Path> fixtures() {
        String root = System.getProperty("gantry.fixtures");
        assertThat(root).as("system property gantry.fixtures (set by the parent pom)").isNotNull();
        try (Stream<Path> files = Files.walk(Path.of(root, "marathon"))) {
            return files.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
