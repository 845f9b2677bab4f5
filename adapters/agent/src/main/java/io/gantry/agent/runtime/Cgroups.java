package io.gantry.agent.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Memory and CPU limits for raw tasks through cgroup v1 (the hierarchy this machine mounts): one
 * directory per task under {@code memory/gantry} and {@code cpu/gantry}. When the hierarchy is not
 * writable (no root, cgroup v2 only) limits are skipped and {@link #unavailableReason()} says why.
 * runc puts a container's groups at the same place ({@link #path}), so that one OOM check serves both runtimes.
 */
public final class Cgroups {
    private static final Logger LOG = LoggerFactory.getLogger(Cgroups.class);
    private static final long CFS_PERIOD_US = 100_000;

    private final Path memoryRoot;
    private final Path cpuRoot;
    private final String unavailableReason;

    public Cgroups(Path mountPoint) {
        Path memory = mountPoint.resolve("memory").resolve("gantry");
        Path cpu = mountPoint.resolve("cpu").resolve("gantry");
        String reason = null;
        if (!Files.isRegularFile(mountPoint.resolve("memory").resolve("memory.limit_in_bytes"))
                || !Files.isRegularFile(mountPoint.resolve("cpu").resolve("cpu.cfs_quota_us"))) {
            reason = "no cgroup v1 memory and cpu controllers under " + mountPoint;
        } else {
            try {
                Files.createDirectories(memory);
                Files.createDirectories(cpu);
            } catch (IOException | RuntimeException e) {
                reason = "cgroups under " + mountPoint + " are not writable (" + e.getClass().getSimpleName() + ")";
            }
        }
        this.memoryRoot = memory;
        this.cpuRoot = cpu;
        this.unavailableReason = reason;
        if (reason != null) {
            LOG.warn("memory and CPU limits of raw tasks are skipped: {}", reason);
        }
    }

    public Optional<String> unavailableReason() {
        return Optional.ofNullable(unavailableReason);
    }

    /**
     * Creates the task's groups with its limits.
     *
     * @return the {@code cgroup.procs} files the process must write its pid to, empty when no limit applies
     */
    public List<Path> prepare(String name, long memoryBytes, long cpuMillis) throws IOException {
        List<Path> procs = new ArrayList<>();
        if (unavailableReason != null || (memoryBytes <= 0 && cpuMillis <= 0)) {
            return procs;
        }
        Path mem = memoryRoot.resolve(name);
        Files.createDirectories(mem);
        if (memoryBytes > 0) {
            Files.writeString(mem.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
        }
        procs.add(mem.resolve("cgroup.procs"));
        if (cpuMillis > 0) {
            Path cpu = cpuRoot.resolve(name);
            Files.createDirectories(cpu);
            Files.writeString(cpu.resolve("cpu.cfs_period_us"), Long.toString(CFS_PERIOD_US));
            Files.writeString(cpu.resolve("cpu.cfs_quota_us"), Long.toString(cpuMillis * CFS_PERIOD_US / 1000));
            procs.add(cpu.resolve("cgroup.procs"));
        }
        return procs;
    }

    /** The {@code cgroup.procs} files of the groups the task has (none when it runs without limits). */
    public List<Path> procs(String name) {
        List<Path> procs = new ArrayList<>();
        for (Path dir : List.of(memoryRoot.resolve(name), cpuRoot.resolve(name))) {
            if (unavailableReason == null && Files.isRegularFile(dir.resolve("cgroup.procs"))) {
                procs.add(dir.resolve("cgroup.procs"));
            }
        }
        return procs;
    }

    /** Pids still in the task's memory group: what a group kill may have missed (a child that called setsid). */
    public List<Long> members(String name) {
        List<Long> pids = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(memoryRoot.resolve(name).resolve("cgroup.procs"))) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        } catch (IOException | RuntimeException e) {
            return pids;
        }
        return pids;
    }

    /** Whether the kernel OOM-killed something in the task's memory group (memory.oom_control, Linux 4.13+). */
    public boolean oomKilled(String name) {
        try {
            for (String line : Files.readAllLines(memoryRoot.resolve(name).resolve("memory.oom_control"))) {
                if (line.startsWith("oom_kill ") && Long.parseLong(line.substring(9).trim()) > 0) {
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** The task's group as a path inside every hierarchy ({@code /gantry/<name>}), for runc's {@code cgroupsPath}. */
    public String path(String name) {
        return "/gantry/" + name;
    }

    /** Removes the task's groups; they must be empty. */
    public void remove(String name) {
        for (Path dir : List.of(memoryRoot.resolve(name), cpuRoot.resolve(name))) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                LOG.debug("cgroup {} not removed: {}", dir, e.getMessage());
            }
        }
    }
}
