package io.gantry.agent.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.Instance;
import io.gantry.spi.InstanceState;
import io.gantry.spi.Phase;
import io.gantry.spi.RequiredEngine;
import io.gantry.spi.Resources;
import io.gantry.spi.exec.ExecRecorder;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Memory and CPU limits of raw tasks through cgroup v1, and the OOM kill they lead to (reason OOMKilled). */
class CgroupLimitsIT {
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");

    @TempDir
    Path root;

    @Test
    void limitsAreAppliedAndAnOomKillIsReported() throws Exception {
        RequiredEngine.requireRoot("the agent writes cgroups");
        RequiredEngine.require(Files.isWritable(CGROUPS.resolve("memory")) && Files.isWritable(CGROUPS.resolve("cpu")),
                "writable cgroup v1 memory and cpu controllers under " + CGROUPS);
        try (AgentProcess agent = new AgentProcess(root).start(); EngineClient client = agent.client()) {
            client.deploy(new WorkloadDefinition("lim", "capped", WorkloadKind.SERVICE, Map.of(), new WorkloadSpec(null,
                    List.of("/bin/sh", "-c", "sleep 300"), null, null, null, new Resources(250L, 32L * 1024 * 1024), 1,
                    null, null, null)));
            Path memory = CGROUPS.resolve("memory/gantry/lim_capped-0");
            Path cpu = CGROUPS.resolve("cpu/gantry/lim_capped-0");
            assertThat(Files.readString(memory.resolve("memory.limit_in_bytes")).trim()).isEqualTo("33554432");
            assertThat(Files.readString(cpu.resolve("cpu.cfs_quota_us")).trim()).isEqualTo("25000");
            String pid = Files.readString(agent.dataDir.resolve("tasks/lim/capped-0.json"))
                    .replaceAll("(?s).*\"pid\": \"(\\d+)\".*", "$1");
            // the task's wrapper joins the group itself, a moment after the start returned
            await(() -> readLines(memory.resolve("cgroup.procs")).contains(pid) ? Optional.of(true) : Optional.empty());

            // issue 18: an exec runs in the task's groups, so its memory and CPU count against the task's limits
            ExecRecorder exec = new ExecRecorder();
            try (ExecSession ignored = client.exec("lim/capped", "capped-0",
                    ExecRequest.plain(List.of("cat", "/proc/self/cgroup")), exec)) {
                assertThat(exec.awaitExit()).isZero();
            }
            assertThat(exec.stdout()).containsPattern("(?m):memory:/gantry/lim_capped-0$")
                    .containsPattern("(?m):cpu[a-z,]*:/gantry/lim_capped-0$");
            client.delete("lim/capped");
            assertThat(memory).as("the task's cgroup is removed with it").doesNotExist();

            // tail keeps a whole "line" of zeros in memory: far beyond the 16 MiB limit
            client.deploy(new WorkloadDefinition("lim", "hog", WorkloadKind.JOB, Map.of(), new WorkloadSpec(null,
                    List.of("/bin/sh", "-c", "head -c 200000000 /dev/zero | tail"), null, null, null,
                    new Resources(null, 16L * 1024 * 1024), 1, null, null, null)));
            Instance killed = await(() -> client.getWorkload("lim/hog").flatMap(w -> w.instances().stream()
                    .filter(i -> i.state() == InstanceState.FAILED).findFirst()));
            assertThat(killed.message()).startsWith("killed by the kernel: out of memory");
            assertThat(killed.reason()).isEqualTo("OOMKilled");
            Workload hog = AgentStatusCasesIT.capture(client, "lim/hog", "oom-killed-job.json",
                    w -> w.status().phase() == Phase.FAILED);
            assertThat(hog.status().message()).startsWith("OOMKilled on 1 of 1 instance; killed by the kernel: out of memory");
            assertThat(client.events("lim/hog", 20)).extracting(EngineEvent::reason).contains("OOMKilled");
            client.delete("lim/hog");
        }
    }

    /** A runc container over its memory limit: the limit is on the agent's group of the task, which keeps the OOM count. */
    @Test
    void aRuncContainerOverItsMemoryLimitIsOomKilled() throws Exception {
        RequiredEngine.requireRoot("the agent writes cgroups and runc creates containers");
        RequiredEngine.require(Files.isWritable(CGROUPS.resolve("memory")) && Files.isWritable(CGROUPS.resolve("cpu")),
                "writable cgroup v1 memory and cpu controllers under " + CGROUPS);
        RequiredEngine.requireCommand("runc", "apt-get install -y runc");
        RequiredEngine.require(Files.isExecutable(BusyboxImage.BUSYBOX), "busybox-static (apt-get install -y busybox-static)");
        try (AgentProcess agent = new AgentProcess(root.resolve("agent")).start(); EngineClient client = agent.client()) {
            BusyboxImage.importInto(agent, "lim", "busybox:oom", BusyboxImage.tarball(root,
                    List.of("sh", "head", "tail")));
            client.deploy(new WorkloadDefinition("lim", "boxhog", WorkloadKind.JOB, Map.of(), new WorkloadSpec("busybox:oom",
                    List.of("/bin/sh", "-c", "head -c 200000000 /dev/zero | tail"), null, null, null,
                    new Resources(null, 16L * 1024 * 1024), 1, null, null, "runc")));
            Workload hog = AgentStatusCasesIT.capture(client, "lim/boxhog", "oom-killed-runc-job.json",
                    w -> w.status().phase() == Phase.FAILED);
            assertThat(hog.instances().get(0).reason()).isEqualTo("OOMKilled");
            assertThat(hog.status().message()).startsWith("OOMKilled on 1 of 1 instance; killed by the kernel: out of memory");
            client.delete("lim/boxhog");
            try (var left = Files.list(CGROUPS)) {
                assertThat(left.map(h -> h.resolve("gantry/lim_boxhog-0"))).as("no group of the task is left")
                        .allSatisfy(d -> assertThat(d).doesNotExist());
            }
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    private static <T> T await(Supplier<Optional<T>> probe) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("condition not met within 20 s");
    }
}
