package io.gantry.agent.daemon;

import io.gantry.agent.api.v1.HealthRequest;
import io.gantry.agent.api.v1.HealthResponse;
import io.gantry.agent.api.v1.NodeGrpc;
import io.gantry.agent.api.v1.NodeInfoRequest;
import io.gantry.agent.api.v1.NodeInfoResponse;
import io.gantry.agent.task.TaskSupervisor;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The agent's identity, capacity and health. */
final class NodeService extends NodeGrpc.NodeImplBase {
    static final String VERSION = "gantry-agent/0.1.0";

    private final String name;
    private final String address;
    private final Map<String, String> labels;
    private final List<String> runtimes;
    private final List<String> privileged;
    private final List<String> notes;
    private final TaskSupervisor tasks;

    /** @param privileged those runtimes that run host processes (only those offered are reported) */
    NodeService(String name, String address, Map<String, String> labels, List<String> runtimes,
                List<String> privileged, List<String> notes, TaskSupervisor tasks) {
        this.name = name;
        this.address = address;
        this.labels = labels;
        this.runtimes = runtimes;
        this.privileged = privileged.stream().filter(runtimes::contains).toList();
        this.notes = notes;
        this.tasks = tasks;
    }

    @Override
    public void info(NodeInfoRequest request, StreamObserver<NodeInfoResponse> observer) {
        Calls.answer(observer, () -> NodeInfoResponse.newBuilder().setName(name).setAddress(address)
                .setVersion(VERSION).setCpuMillis(Runtime.getRuntime().availableProcessors() * 1000L)
                .setMemoryBytes(memTotalBytes()).putAllLabels(labels).addAllRuntimes(runtimes).addAllPrivilegedRuntimes(privileged)
                .setOs(System.getProperty("os.name").toLowerCase()).setArch(System.getProperty("os.arch"))
                .build());
    }

    @Override
    public void health(HealthRequest request, StreamObserver<HealthResponse> observer) {
        Calls.answer(observer, () -> HealthResponse.newBuilder().setServing(true)
                .setRunningTasks(tasks.runningTasks()).addAllNotes(notes).build());
    }

    /** MemTotal of /proc/meminfo (proc(5)), in bytes; 0 when unknown. */
    private static long memTotalBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
