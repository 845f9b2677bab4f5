package io.gantry.workload;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonRawValue;
import io.gantry.engine.Engine.EngineRef;
import io.gantry.spi.Instance;
import io.gantry.spi.Phase;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.WorkloadStatus;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

/**
 * A workload of {@code GET /api/v1/workloads}: the JSON of a {@link WorkloadView}, but its labels, spec,
 * status and instances are the stored JSON text, copied into the answer as they are. Parsing each row's
 * documents only to write them again was most of what a page cost. The stored text is what the same
 * mapper wrote from the same records, so both forms answer the same JSON (WorkloadApiIT checks it).
 */
@Schema(name = "WorkloadView")
record StoredWorkload(UUID id, EngineRef engine, String nativeId, String namespace, String name, WorkloadKind kind,
                      @Schema(type = "object", types = "object", additionalPropertiesSchema = String.class) @JsonRawValue String labels,
                      @Schema(implementation = WorkloadSpec.class) @JsonRawValue String spec,
                      @Schema(implementation = WorkloadStatus.class) @JsonRawValue String status,
                      @ArraySchema(schema = @Schema(implementation = Instance.class)) @Schema(type = "array", types = "array")
                      @JsonRawValue String instances,
                      Instant createdAt, Instant syncedAt, Instant updatedAt, boolean stale,
                      @JsonIgnore Phase phase) implements ListedWorkload {

    /** Maps a row of {@link WorkloadStore#VIEW_COLUMNS}. */
    static StoredWorkload of(ResultSet rs, int row) throws SQLException {
        Timestamp created = rs.getTimestamp("created_at");
        return new StoredWorkload(rs.getObject("id", UUID.class),
                new EngineRef(rs.getObject("engine_id", UUID.class), rs.getString("engine_name"), rs.getString("engine_kind")),
                rs.getString("native_id"), rs.getString("namespace"), rs.getString("name"),
                WorkloadKind.valueOf(rs.getString("kind")), rs.getString("labels"), rs.getString("spec"),
                rs.getString("status"), rs.getString("instances"), created == null ? null : created.toInstant(),
                rs.getTimestamp("synced_at").toInstant(), rs.getTimestamp("updated_at").toInstant(),
                rs.getBoolean("stale"), Phase.valueOf(rs.getString("phase")));
    }

    /** The same row with another spec text (a VIEWER's, with secret env values masked). */
    StoredWorkload withSpec(String newSpec) {
        return new StoredWorkload(id, engine, nativeId, namespace, name, kind, labels, newSpec, status, instances,
                createdAt, syncedAt, updatedAt, stale, phase);
    }
}
