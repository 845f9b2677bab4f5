package io.gantry.agent.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.ContainersGrpc;
import io.gantry.agent.api.v1.CreateContainerRequest;
import io.gantry.agent.api.v1.CreateTaskRequest;
import io.gantry.agent.api.v1.DeleteTaskRequest;
import io.gantry.agent.api.v1.StartTaskRequest;
import io.gantry.agent.api.v1.TaskStatus;
import io.gantry.agent.api.v1.TasksGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start latency of the raw runtime as a client sees it (Start call to RUNNING answer) over 100 tasks,
 * and the agent's resident memory idle and with those tasks. Prints the numbers; asserts only a
 * generous bound, since the build machine is shared.
 */
class StartLatencyIT {
    private static final int TASKS = 100;

    @TempDir
    Path root;

    @Test
    void rawTasksStartFast() throws Exception {
        try (AgentProcess agent = new AgentProcess(root).start()) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", agent.port).usePlaintext().build();
            try {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + agent.token);
                headers.put(Metadata.Key.of("gantry-namespace", Metadata.ASCII_STRING_MARSHALLER), "bench");
                ContainersGrpc.ContainersBlockingStub containers = ContainersGrpc.newBlockingStub(channel)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
                TasksGrpc.TasksBlockingStub tasks = TasksGrpc.newBlockingStub(channel)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
                long idleRss = rssBytes(agent.pid());
                containers.withDeadlineAfter(10, TimeUnit.SECONDS).create(CreateContainerRequest.newBuilder().setId("sleeper")
                        .setSpec(ContainerSpec.newBuilder().addCommand("sleep").addArgs("120").setReplicas(TASKS)
                                .setKind("SERVICE")).build());
                List<Long> micros = new ArrayList<>();
                for (int i = 0; i < TASKS; i++) {
                    String id = "sleeper-" + i;
                    tasks.withDeadlineAfter(10, TimeUnit.SECONDS).create(CreateTaskRequest.newBuilder()
                            .setContainerId("sleeper").setTaskId(id).build());
                    long t0 = System.nanoTime();
                    TaskStatus status = tasks.withDeadlineAfter(10, TimeUnit.SECONDS)
                            .start(StartTaskRequest.newBuilder().setTaskId(id).build()).getTask().getStatus();
                    micros.add((System.nanoTime() - t0) / 1000);
                    assertThat(status).isEqualTo(TaskStatus.TASK_STATUS_RUNNING);
                }
                long busyRss = rssBytes(agent.pid());
                Collections.sort(micros);
                long p50 = micros.get(TASKS / 2);
                long p99 = micros.get(TASKS * 99 / 100);
                System.out.printf(Locale.ROOT, "raw runtime start latency over %d tasks: p50 %.1f ms, p99 %.1f ms;"
                        + " agent RSS idle %d MiB, with %d tasks %d MiB%n", TASKS, p50 / 1000.0, p99 / 1000.0,
                        idleRss >> 20, TASKS, busyRss >> 20);
                assertThat(p50).as("p50 start latency in µs").isLessThan(100_000);
                for (int i = 0; i < TASKS; i++) {
                    tasks.withDeadlineAfter(20, TimeUnit.SECONDS).delete(DeleteTaskRequest.newBuilder()
                            .setTaskId("sleeper-" + i).build());
                }
            } finally {
                channel.shutdownNow();
            }
        }
    }

    private static long rssBytes(long pid) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
