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
 * @param message   what is wrong in the engine's words, with details, empty when fine
 * @param reason    the engine's short word for it ({@code CrashLoopBackOff}, {@code No such image},
 *                  {@code exit 1}, {@code OOMKilled}, {@code unhealthy}), empty when fine: a workload's
 *                  message counts its instances by it ({@link InstanceReasons})
 */
public record Instance(String id, String node, InstanceState state, Instant startedAt, String address,
                       Integer exitCode, String message, String reason) {
    public Instance {
        message = message == null ? "" : message;
        reason = reason == null ? "" : reason;
    }
}
