package io.gantry.engine;

import java.util.UUID;

/** An engine was registered or its registration changed: clients and sync workers must reconnect. */
public record EngineSaved(UUID engineId) {
}
