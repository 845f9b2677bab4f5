package io.gantry.event;

import io.gantry.engine.Engine.EngineRef;
import java.time.Instant;
import java.util.UUID;

/** One entry of the merged timeline (API.md "Events"). */
record EventView(Instant time, EngineRef engine, UUID workloadId, String workloadName, String type, String reason,
                 String message) {
}
