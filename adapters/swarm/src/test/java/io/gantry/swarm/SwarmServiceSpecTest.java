package io.gantry.swarm;

import io.gantry.spi.json.Json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.HealthCheck;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Resources;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The ServiceSpec written for deploy, update, scale and restart, read back through the same mapper. */
class SwarmServiceSpecTest {
    private final SwarmServiceWriter writer = new SwarmServiceWriter(SwarmServiceWriter.PUBLISH_MODE_HOST);

    @Test
    void everyModelFieldIsWrittenAndReadsBackTheSame() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("B", "2");
        env.put("A", "1=one");
        WorkloadSpec spec = new WorkloadSpec("registry.example:5000/shop/web:1.2", List.of("/entry"), List.of("serve", "--port=80"),
                env, List.of(new PortMapping(80, 8080, "tcp"), new PortMapping(53, null, "udp")), new Resources(250L, 128L << 20),
                3, HealthCheck.http("/healthz", 80, 7), List.of("node.labels.zone==a"), null);
        ObjectNode serviceSpec = writer.serviceSpec(new WorkloadDefinition("shop", "web", WorkloadKind.SERVICE,
                Map.of("team", "a"), spec));

        assertThat(serviceSpec.path("Name").asString()).isEqualTo("shop_web");
        assertThat(serviceSpec.path("Labels").path(SwarmServiceReader.STACK_NAMESPACE_LABEL).asString()).isEqualTo("shop");
        JsonNode container = serviceSpec.path("TaskTemplate").path("ContainerSpec");
        assertThat(Json.strings(container.path("Env"))).containsExactly("B=2", "A=1=one");
        assertThat(Json.strings(container.path("Healthcheck").path("Test")))
                .containsExactly("CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:80/healthz || exit 1");
        assertThat(container.path("Healthcheck").path("Interval").asLong()).isEqualTo(7_000_000_000L);
        assertThat(serviceSpec.path("TaskTemplate").path("Resources").path("Limits").path("NanoCPUs").asLong())
                .isEqualTo(250_000_000L);
        assertThat(serviceSpec.path("EndpointSpec").path("Ports").get(0).path("PublishMode").asString()).isEqualTo("host");
        assertThat(serviceSpec.path("Mode").path("Replicated").path("Replicas").asInt()).isEqualTo(3);

        Workload read = SwarmServiceReader.workload(service(serviceSpec), List.of(), Map.of());
        assertThat(read.namespace()).isEqualTo("shop");
        assertThat(read.name()).isEqualTo("web");
        assertThat(read.labels()).containsEntry("team", "a");
        assertThat(read.spec()).isEqualTo(spec);
    }

    @Test
    void kindsBecomeSwarmModes() {
        ObjectNode daemon = writer.serviceSpec(definition(WorkloadKind.DAEMON, WorkloadSpec.of("busybox", null)));
        assertThat(daemon.path("Mode").has("Global")).isTrue();
        ObjectNode job = writer.serviceSpec(definition(WorkloadKind.JOB, WorkloadSpec.of("busybox", 4)));
        assertThat(job.path("Mode").path("ReplicatedJob").path("TotalCompletions").asInt()).isEqualTo(4);
        assertThat(job.path("TaskTemplate").path("RestartPolicy").path("Condition").asString()).isEqualTo("on-failure");
        assertThat(SwarmServiceReader.workload(service(job), List.of(), Map.of()).kind()).isEqualTo(WorkloadKind.JOB);
        assertThat(SwarmServiceReader.workload(service(daemon), List.of(), Map.of()).spec().replicas()).isNull();
    }

    @Test
    void tcpAndCommandHealthChecksRoundTrip() {
        for (HealthCheck check : List.of(HealthCheck.tcp(6379, null),
                new HealthCheck(HealthCheck.Type.COMMAND, null, null, List.of("/bin/check", "--quick"), 3, 2),
                new HealthCheck(HealthCheck.Type.COMMAND, null, null, List.of("/bin/sh", "-c", "test -f /ok"), null, null))) {
            WorkloadSpec spec = new WorkloadSpec("busybox", null, null, null, null, null, 1, check, null, null);
            ObjectNode serviceSpec = writer.serviceSpec(definition(WorkloadKind.SERVICE, spec));
            assertThat(SwarmServiceReader.workload(service(serviceSpec), List.of(), Map.of()).spec().healthCheck()).isEqualTo(check);
        }
    }

    @Test
    void invalidSpecsListEveryBadField() {
        WorkloadSpec bad = new WorkloadSpec("Gantry Test:1", null, null, Map.of("A=B", "x"),
                List.of(new PortMapping(0, 70000, "icmp"), new PortMapping(80, 8080, "tcp"), new PortMapping(81, 8080, "tcp")),
                new Resources(0L, -1L), -1, HealthCheck.http("no-slash", 0, null), List.of("zone=a"), "runc");
        assertThatThrownBy(() -> writer.serviceSpec(new WorkloadDefinition("", "bad name!", WorkloadKind.STATEFUL, null, bad)))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors())
                        .extracting(InvalidSpecException.FieldError::field).containsExactly("name", "kind", "spec.image",
                                "spec.replicas", "spec.ports[0].containerPort", "spec.ports[0].publishedPort",
                                "spec.ports[0].protocol", "spec.ports[2].publishedPort", "spec.resources.cpuMillis",
                                "spec.resources.memoryBytes", "spec.env", "spec.constraints[0]", "spec.healthCheck.port",
                                "spec.healthCheck.path", "spec.runtime"));
        assertThatThrownBy(() -> writer.serviceSpec(definition(WorkloadKind.DAEMON, WorkloadSpec.of("busybox", 2))))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("spec.replicas");
        assertThatThrownBy(() -> writer.serviceSpec(new WorkloadDefinition("a-very-long-stack-name-that-goes-on",
                "and-a-very-long-service-name-too", WorkloadKind.SERVICE, null, WorkloadSpec.of("busybox", 1))))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("at most 63");
    }

    @Test
    void updateKeepsWhatTheModelDoesNotKnowAndADigestPinnedImage() {
        JsonNode service = SwarmFixtures.json(SwarmFixtures.REAL + "/GET_services_web.json");
        ObjectNode spec = (ObjectNode) service.path("Spec").deepCopy();
        ((ObjectNode) spec.path("TaskTemplate").path("ContainerSpec")).put("Image", "local/busybox:1.35@sha256:" + "a".repeat(64));
        WorkloadSpec read = SwarmServiceReader.spec(service(spec), SwarmConfigIndex.EMPTY);
        assertThat(read.image()).isEqualTo("local/busybox:1.35");

        writer.updateSpec(spec, read.withReplicas(5));
        assertThat(spec.path("TaskTemplate").path("ContainerSpec").path("Image").asString()).endsWith("a".repeat(64));
        assertThat(spec.path("Mode").path("Replicated").path("Replicas").asInt()).isEqualTo(5);
        assertThat(spec.path("UpdateConfig").path("FailureAction").asString()).isEqualTo("rollback");
        assertThat(spec.path("TaskTemplate").path("Resources").path("Reservations").path("NanoCPUs").asLong()).isEqualTo(100_000_000L);

        writer.updateSpec(spec, new WorkloadSpec("local/busybox:1.36", null, null, null, null, null, null, null, null, null));
        JsonNode container = spec.path("TaskTemplate").path("ContainerSpec");
        assertThat(container.path("Image").asString()).isEqualTo("local/busybox:1.36");
        assertThat(container.has("Args")).isFalse();
        assertThat(container.has("Env")).isFalse();
        assertThat(container.has("Healthcheck")).isFalse();
        assertThat(spec.path("Mode").path("Replicated").path("Replicas").asInt()).as("null replicas keep the count").isEqualTo(5);
        assertThat(container.path("Labels").path("app").asString()).as("container labels are not in the model").isEqualTo("web");
    }

    @Test
    void scaleAndRestartEditOnlyTheirField() {
        ObjectNode spec = (ObjectNode) SwarmFixtures.json(SwarmFixtures.REAL + "/GET_services_web.json").path("Spec").deepCopy();
        writer.setReplicas(spec, 0);
        writer.forceRestart(spec);
        writer.forceRestart(spec);
        assertThat(spec.path("Mode").path("Replicated").path("Replicas").asInt()).isZero();
        assertThat(spec.path("TaskTemplate").path("ForceUpdate").asInt()).isEqualTo(2);

        ObjectNode global = (ObjectNode) SwarmFixtures.json(SwarmFixtures.REAL + "/GET_services_agent.json").path("Spec").deepCopy();
        assertThatThrownBy(() -> writer.setReplicas(global, 2)).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("no replica count");
        assertThatThrownBy(() -> writer.setReplicas(spec, -1)).isInstanceOf(InvalidSpecException.class);
    }

    private static WorkloadDefinition definition(WorkloadKind kind, WorkloadSpec spec) {
        return new WorkloadDefinition("", "svc", kind, Map.of(), spec);
    }

    /** A service object as dockerd returns it around a ServiceSpec. */
    private static JsonNode service(ObjectNode serviceSpec) {
        ObjectNode service = Json.MAPPER.createObjectNode();
        service.put("ID", "svc-id");
        service.set("Spec", serviceSpec);
        return service;
    }
}
