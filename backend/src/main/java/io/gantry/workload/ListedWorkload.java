package io.gantry.workload;

import io.gantry.engine.Engine.EngineRef;
import io.gantry.spi.Phase;
import java.time.Instant;
import java.util.UUID;

/** What keyset pagination reads of a listed workload, whichever form the list answers in. */
interface ListedWorkload {
    UUID id();

    String name();

    EngineRef engine();

    Phase phase();

    Instant updatedAt();
}
