package io.gantry.spi;

/**
 * A runtime an engine offers for {@link WorkloadSpec#runtime()} (the agent's {@code raw} and {@code runc}).
 *
 * @param name       as {@link WorkloadSpec#runtime()} names it
 * @param privileged whether its workloads run as host processes with the engine's own reach (the agent's
 *                   {@code raw}, like Nomad's raw_exec): the server lets only administrators deploy or update such a
 *                   workload. An unprivileged runtime isolates the workload from the host (an OCI container).
 */
public record EngineRuntime(String name, boolean privileged) {
}
