package io.gantry.spi;

import java.time.Instant;

/**
 * One running copy of a workload: a pod, a Swarm task, a Marathon task, an agent process.
 *
 * @param id        engine's id of the instance
 * @param node      node it runs on, or {@code null} when not scheduled
 * @param state     normalized state
 * @param startedAt when it started, or {@code null}
 * @param address   {@code host:port} it answers on, or {@code null}
 * @param exitCode  exit code once it ended, else {@code null}
 * @param message   why it is not running (e.g. {@code CrashLoopBackOff}), empty when fine
 */
public record Instance(String id, String node, InstanceState state, Instant startedAt, String address,
                       Integer exitCode, String message) {
    public Instance {
        message = message == null ? "" : message;
    }
}
