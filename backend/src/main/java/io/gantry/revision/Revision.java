package io.gantry.revision;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.gantry.spi.WorkloadSpec;
import java.time.Instant;
import java.util.UUID;

/**
 * One revision of a workload's spec (API.md "Revision").
 *
 * @param revision       its number, from 1 per workload
 * @param user           who made it through Gantry; {@code null} for source {@code engine}
 * @param source         {@code gantry} (an operation) or {@code engine} (seen by the sync, or the engine's own history)
 * @param operationId    the operation that made it, or {@code null}
 * @param engineRevision the engine's own id of it ({@link io.gantry.spi.EngineRevision#id}), never shown
 */
public record Revision(int revision, Instant createdAt, String user, String source, UUID operationId, String message,
                       WorkloadSpec spec, @JsonIgnore String engineRevision) {
    public static final String GANTRY = "gantry";
    public static final String ENGINE = "engine";

    Revision withSpec(WorkloadSpec shown) {
        return new Revision(revision, createdAt, user, source, operationId, message, shown, engineRevision);
    }
}
