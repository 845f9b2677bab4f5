package io.gantry.engine;

import java.util.UUID;

/** An engine was unregistered: stop syncing it and close its client. */
public record EngineRemoved(UUID engineId) {
}
