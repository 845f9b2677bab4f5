package io.gantry.workload;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** A workload's id is derived, never stored state: the same engine and native id always give the same UUID. */
public final class WorkloadIds {
    private WorkloadIds() {
    }

    public static UUID of(UUID engineId, String nativeId) {
        return UUID.nameUUIDFromBytes((engineId + "/" + nativeId).getBytes(StandardCharsets.UTF_8));
    }
}
