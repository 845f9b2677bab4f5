package io.gantry.swarm;

import io.gantry.spi.EngineClient;
import io.gantry.spi.Instance;
import io.gantry.spi.InstanceState;
import io.gantry.spi.PortMapping;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

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

    /** Deploys a {@link #sleeper} of one replica named {@code name}; returns its service id. */
    static String deploySleeper(EngineClient client, String name) {
        return client.deploy(new WorkloadDefinition("", name, WorkloadKind.SERVICE, Map.of(LocalSwarm.TEST_LABEL, "exec"),
                sleeper(1))).nativeId();
    }

    /** Waits until the service runs an instance and returns that instance's id (a task id). */
    static String runningInstance(EngineClient client, String nativeId) {
        AtomicReference<String> instance = new AtomicReference<>();
        RecordingListener.await("a running task of service " + nativeId, Duration.ofSeconds(45), () -> {
            Optional<Workload> workload = client.getWorkload(nativeId);
            workload.flatMap(w -> w.instances().stream().filter(i -> i.state() == InstanceState.RUNNING).findFirst())
                    .map(Instance::id).ifPresent(instance::set);
            return instance.get() != null;
        });
        return instance.get();
    }
}
