package io.gantry.sync;

import io.gantry.engine.EngineClients;
import io.gantry.engine.EngineStore;
import io.gantry.engine.SyncProgressStore;
import io.gantry.event.EventStore;
import io.gantry.metrics.GantryMetrics;
import io.gantry.revision.OutsideChanges;
import io.gantry.stream.LiveStream;
import io.gantry.workload.WorkloadStatistics;
import io.gantry.workload.WorkloadStore;

/** What every engine's sync worker writes to and reads from; shared, thread-safe. */
record SyncPorts(EngineStore engines, EngineClients clients, WorkloadStore workloads, EventStore events,
                 LiveStream stream, GantryMetrics metrics, SyncSettings settings,
                 OutsideChanges outsideChanges, SyncProgressStore progress,
                 WorkloadStatistics statistics, SyncWriters writers) {
}
