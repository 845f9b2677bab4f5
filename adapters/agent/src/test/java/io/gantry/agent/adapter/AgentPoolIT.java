package io.gantry.agent.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.Instance;
import io.gantry.spi.InstanceState;
import io.gantry.spi.Node;
import io.gantry.spi.Phase;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two real agents as one engine: replicas spread, constraints honoured, replicas of a lost agent moved. */
class AgentPoolIT {
    @TempDir
    Path root;

    @Test
    void replicasSpreadAndMoveWhenAnAgentIsLost() throws Exception {
        String token = "pool-" + UUID.randomUUID();
        AgentProcess a = new AgentProcess(root.resolve("a"), token, AgentProcess.freePort(), AgentProcess.freePort())
                .with("--node-name", "agent-a", "--label", "zone=a").start();
        AgentProcess b = new AgentProcess(root.resolve("b"), token, AgentProcess.freePort(), AgentProcess.freePort())
                .with("--node-name", "agent-b", "--label", "zone=b").start();
        EngineConnection pool = new EngineConnection(UUID.randomUUID(), "pool",
                "grpc://127.0.0.1:" + a.port + ", grpc://127.0.0.1:" + b.port, Map.of(), Map.of("token", token),
                Map.of(), Duration.ofSeconds(5));
        try (EngineClient client = new AgentEngineAdapter().connect(pool)) {
            assertThat(client.listNodes()).extracting(Node::name).containsExactly("agent-a", "agent-b");

            client.deploy(sleeper("spread", 4, List.of()));
            Workload spread = await(() -> client.getWorkload("demo/spread")
                    .filter(w -> w.status().phase() == Phase.RUNNING));
            assertThat(spread.spec().replicas()).isEqualTo(4);
            assertThat(spread.instances().stream().collect(Collectors.groupingBy(Instance::node, Collectors.counting())))
                    .containsEntry("agent-a", 2L).containsEntry("agent-b", 2L);
            assertThat(spread.instances()).extracting(Instance::id).contains("agent-a/spread-0", "agent-b/spread-0");

            client.deploy(sleeper("pinned", 2, List.of("node.labels.zone==b")));
            Workload pinned = await(() -> client.getWorkload("demo/pinned").filter(w -> w.status().running() == 2));
            assertThat(pinned.instances()).extracting(Instance::node).containsOnly("agent-b");

            // issue 16: the merged workload counts the crash-looping instances of both agents by their reason
            client.deploy(new WorkloadDefinition("demo", "crashing", WorkloadKind.SERVICE, Map.of(), new WorkloadSpec(null,
                    List.of("/bin/sh", "-c", "echo boom >&2; exit 1"), null, null, null, null, 2, null, null, null)));
            Workload crashing = await(() -> client.getWorkload("demo/crashing").filter(w -> w.status().phase() == Phase.FAILED
                    && w.status().message().startsWith("exit 1 on 2 of 2 instances; exited 1")));
            assertThat(crashing.status().message()).endsWith(": boom");
            assertThat(crashing.instances()).extracting(Instance::reason).containsOnly("exit 1");
            client.delete("demo/crashing");

            a.kill();
            a.close();
            Workload moved = await(() -> client.getWorkload("demo/spread").filter(w -> w.status().running() == 4));
            assertThat(moved.instances()).extracting(Instance::node).containsOnly("agent-b");
            assertThat(moved.instances()).allSatisfy(i -> assertThat(i.state()).isEqualTo(InstanceState.RUNNING));
            assertThat(client.ping().degraded()).isTrue();

            client.scale("demo/spread", 1);
            await(() -> client.getWorkload("demo/spread").filter(w -> w.status().running() == 1
                    && w.status().phase() == Phase.RUNNING));
            client.delete("demo/spread");
            client.delete("demo/pinned");
            assertThat(client.listWorkloads()).isEmpty();
        } finally {
            a.close();
            b.close();
        }
    }

    private static WorkloadDefinition sleeper(String name, int replicas, List<String> constraints) {
        return new WorkloadDefinition("demo", name, WorkloadKind.SERVICE, Map.of("app", name), new WorkloadSpec(null,
                List.of("sleep", "300"), null, null, null, null, replicas, null, constraints, null));
    }

    private static <T> T await(Supplier<Optional<T>> probe) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("condition not met within 30 s");
    }
}
