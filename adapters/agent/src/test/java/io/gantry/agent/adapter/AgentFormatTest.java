package io.gantry.agent.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.FormatAssertions;
import io.gantry.spi.HealthCheck;
import io.gantry.spi.HostileDocuments;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.ManifestFormat;
import io.gantry.spi.ManifestLimits;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Resources;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentFormatTest {
    private final AgentFormat format = new AgentFormat();

    @Test
    void everyKindAndFieldRoundTrips() {
        WorkloadSpec full = new WorkloadSpec("gantry-test/busybox:1", List.of("/bin/sh", "-c"), List.of("httpd -f -p $PORT0"),
                Map.of("A", "1", "B", "2"), List.of(PortMapping.tcp(8080), new PortMapping(53, 10053, "udp")),
                new Resources(250L, 64L << 20), 3, new HealthCheck(HealthCheck.Type.HTTP, "/", 8080, null, 5, 2),
                List.of("node.labels.zone==a"), "raw");
        for (WorkloadKind kind : WorkloadKind.values()) {
            WorkloadDefinition d = new WorkloadDefinition("shop", "web", kind, Map.of("app", "web"), full);
            ManifestFormat.Rendered r = format.render(d);
            assertThat(r.warnings()).isEmpty();
            assertThat(format.parse(r.document())).singleElement().satisfies(p -> {
                assertThat(p.definition()).isEqualTo(d);
                assertThat(p.warnings()).isEmpty();
            });
        }
        WorkloadDefinition command = new WorkloadDefinition("", "probe", WorkloadKind.SERVICE, Map.of(),
                new WorkloadSpec(null, List.of("sleep", "60"), null, null, null, null, 1,
                        new HealthCheck(HealthCheck.Type.COMMAND, null, null, List.of("true"), null, null), null, null));
        assertThat(format.parse(format.render(command).document()).get(0).definition()).isEqualTo(command);
    }

    @Test
    void rendersTheAgentsOwnMessage() {
        String doc = format.render(new WorkloadDefinition("ops", "tick", WorkloadKind.DAEMON, Map.of(),
                new WorkloadSpec("busybox", List.of("sleep"), List.of("5"), null, null, new Resources(100L, null), null,
                        null, null, null))).document();
        assertThat(doc).contains("\"id\": \"tick\"", "\"namespace\": \"ops\"", "\"cpuMillis\": \"100\"", "\"kind\": \"DAEMON\"");
    }

    @Test
    void aListOfContainersAndItsErrors() {
        String two = "[{\"id\": \"a\", \"spec\": {\"command\": [\"sleep\", \"9\"], \"replicas\": 2}},"
                + " {\"id\": \"b\", \"namespace\": \"x\", \"spec\": {\"image\": \"busybox\"}}]";
        assertThat(format.parse(two)).extracting(p -> p.definition().name()).containsExactly("a", "b");

        assertThatThrownBy(() -> format.parse("[{\"id\": \"a\", \"spec\": {\"replicas\": \"two\"}}, {\"spec\": {}},"
                + " {\"id\": \"c\", \"colour\": \"red\"}, {\"id\": \"d\", \"spec\": {\"kind\": \"CRON\"}}]"))
                .isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(((InvalidSpecException) e).errors()).extracting(InvalidSpecException.FieldError::field)
                        .containsExactly("[0].spec.replicas", "[1].id", "[2].colour", "[3].spec.kind"));
        assertThatThrownBy(() -> format.parse("{\"id\": ")).isInstanceOf(InvalidSpecException.class);
        assertThatThrownBy(() -> format.parse("[".repeat(5000))).isInstanceOf(InvalidSpecException.class);
    }

    @Test
    void hugeDeepOrAliasedDocumentsAreRefusedByTheParseBudgetWithoutExpanding() {
        String wide = "{\"id\": \"a\", \"spec\": {\"args\": " + HostileDocuments.wideJson(150_000) + "}}";
        Map<String, String> refusals = Map.of(wide, "more than " + ManifestLimits.MAX_NODES + " nodes",
                HostileDocuments.deepJson(10_000), "deeper than " + ManifestLimits.MAX_NESTING,
                HostileDocuments.aliasBomb(), "not valid JSON");
        refusals.forEach((document, message) -> {
            HostileDocuments.Refusal r = HostileDocuments.refusal(() -> format.parse(document));
            assertThat(r.thrown()).isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors())
                    .singleElement().satisfies(f -> {
                        assertThat(f.field()).isEqualTo("manifest");
                        assertThat(f.message()).contains(message);
                    }));
            r.assertNotExpanded();
        });
    }

    @Test
    void wrongTypesAndNumbersOutOfRangeNameTheirField() {
        assertErrors("{\"spec\": {\"image\": \"busybox\"}}", "id");
        assertErrors("{\"id\": \"a\", \"spec\": {\"replicas\": 12345678901}}", "spec.replicas");
        assertErrors("{\"id\": \"a\", \"spec\": {\"replicas\": -1, \"memoryBytes\": \"-5\"}}",
                "spec.replicas", "spec.memoryBytes");
        assertErrors("{\"id\": \"a\", \"labels\": {\"x\": 1, \"y\": [\"z\"]}, \"spec\": {\"command\": \"sleep 9\", "
                + "\"ports\": [{\"containerPort\": \"http\"}, 80], \"healthCheck\": [\"tcp\"]}}",
                "labels.x", "labels.y", "spec.command", "spec.ports[0].containerPort", "spec.ports[1]", "spec.healthCheck");
        assertErrors("{\"id\": \"a\", \"spec\": {\"ports\": [{\"containerPort\": 70000}]}}", "spec.ports[0].containerPort");
        assertErrors("[{\"id\": \"a\"}, 7]", "[1]");
        assertErrors("{\"id\": \"a\", \"spec\": {\"healthCheck\": {\"type\": \"ping\"}}}", "spec.healthCheck.type");
        assertErrors("{\"id\": \"a\", \"createdAt\": \"yesterday\"}", "manifest");
    }

    private void assertErrors(String document, String... fields) {
        FormatAssertions.assertFieldErrors(format, document, fields);
    }

    @Test
    void foundByServiceLoader() {
        FormatAssertions.assertFoundByServiceLoader("agent");
    }
}
