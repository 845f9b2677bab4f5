package io.gantry.spi;

import java.util.List;

/**
 * Receives a listing of workloads in batches as the adapter reads the engine's answer
 * ({@link EngineClient#listWorkloads(WorkloadSink)}), so that a big engine is listed in bounded memory and the caller
 * can tell progress from a hang.
 */
public interface WorkloadSink {
    /**
     * The engine said how many workloads the listing holds (Kubernetes' {@code remainingItemCount}, a count read
     * first); called at most once, before or between batches. Optional: engines that do not know never call it.
     */
    default void expect(long total) {
    }

    /**
     * The next workloads, in the engine's order, each listed once in the whole listing. Called from the adapter's
     * thread, one batch at a time; a batch holds at most a few thousand workloads. Throwing aborts the listing:
     * the adapter stops reading and rethrows it.
     */
    void accept(List<Workload> batch);
}
