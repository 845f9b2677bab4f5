package io.gantry.workload;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.gantry.engine.Engine.EngineRef;
import io.gantry.spi.Instance;
import io.gantry.spi.Phase;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.WorkloadStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A workload as the API and the live stream show it (API.md "Workload"). */
public record WorkloadView(UUID id, EngineRef engine, String nativeId, String namespace, String name, WorkloadKind kind,
                           Map<String, String> labels, WorkloadSpec spec, WorkloadStatus status,
                           List<Instance> instances, Instant createdAt, Instant syncedAt, Instant updatedAt,
                           boolean stale) implements ListedWorkload {

    @Override
    @JsonIgnore
    public Phase phase() {
        return status.phase();
    }

    /**
     * What it takes to deploy this workload again, here or elsewhere. Labels under {@code gantry.io/} are
     * Gantry's reading of the source (sidecars, schedules), not labels anyone set, so they stay behind.
     */
    public WorkloadDefinition definition() {
        Map<String, String> own = new LinkedHashMap<>(labels);
        own.keySet().removeIf(k -> k.startsWith("gantry.io/"));
        return new WorkloadDefinition(namespace, name, kind, own, spec);
    }

    public static WorkloadView of(EngineRef engine, Workload w, Instant syncedAt) {
        return new WorkloadView(WorkloadIds.of(engine.id(), w.nativeId()), engine, w.nativeId(), w.namespace(),
                w.name(), w.kind(), w.labels(), w.spec(), w.status(), w.instances(), w.createdAt(), syncedAt, syncedAt, false);
    }
}
