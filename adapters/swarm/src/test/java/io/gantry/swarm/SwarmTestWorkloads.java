package io.gantry.swarm;

import io.gantry.spi.PortMapping;
import io.gantry.spi.WorkloadSpec;
import java.util.List;
import java.util.Map;

/** Workloads that run on {@code gantry-test/busybox:1}. */
final class SwarmTestWorkloads {
    private SwarmTestWorkloads() {
    }

    /**
     * {@code sleep 3600}, under a shell that exits on SIGTERM: as PID 1 a bare sleep ignores SIGTERM and every
     * stop would wait Swarm's 10 s grace period.
     */
    static WorkloadSpec sleeper(int replicas) {
        return sleeper(replicas, null);
    }

    static WorkloadSpec sleeper(int replicas, Map<String, String> env) {
        return new WorkloadSpec(LocalSwarm.IMAGE, null, List.of("sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"),
                env, null, null, replicas, null, null, null);
    }

    static final String HTTPD = "httpd -f -p 8080 -h /www";

    /** busybox httpd serving {@code gantry} (the image's /www/index.html) on 8080, published at {@code hostPort}. */
    static WorkloadSpec httpd(Integer hostPort, Map<String, String> env) {
        return new WorkloadSpec(LocalSwarm.IMAGE, null, List.of("sh", "-c", "trap 'exit 0' TERM; " + HTTPD + " & wait"), env,
                List.of(new PortMapping(8080, hostPort, "tcp")), null, 1, null, null, null);
    }

    /** Prints a numbered line to stdout and one to stderr about five times a second. */
    static WorkloadSpec chatter() {
        return new WorkloadSpec(LocalSwarm.IMAGE, null, List.of("sh", "-c",
                "trap 'exit 0' TERM; i=0; while true; do echo out$i; echo err$i >&2; i=$((i+1)); sleep 0.2; done"),
                null, null, null, 1, null, null, null);
    }
}
