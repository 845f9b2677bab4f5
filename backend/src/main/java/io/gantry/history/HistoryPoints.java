package io.gantry.history;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The JSON of the history endpoints. */
final class HistoryPoints {
    private HistoryPoints() {
    }

    /** A workload's replicas from {@code at} on, until the next point. */
    record Replicas(Instant at, int running, int desired, String phase) {
    }

    /**
     * Measured usage at {@code at}, summed over the running instances.
     *
     * @param cpuMillis CPU used since the previous reading, in millicores; {@code null} for the first reading
     *                  or when the instances changed in between (a restarted process counts from zero)
     */
    record Usage(Instant at, Long cpuMillis, long memoryBytes) {
    }

    /** Sum of one engine's workloads at {@code at}. */
    record Totals(Instant at, int running, int desired) {
    }

    record EngineSeries(UUID id, String name, List<Totals> points) {
    }

    /** {@code GET /api/v1/workloads/{id}/history}. */
    record WorkloadHistory(List<Replicas> replicas, List<Usage> usage, long samplePeriodSeconds) {
    }

    /** {@code GET /api/v1/history}. */
    record EngineHistory(List<EngineSeries> engines, long samplePeriodSeconds) {
    }
}
