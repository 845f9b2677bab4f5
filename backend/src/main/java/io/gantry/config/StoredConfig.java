package io.gantry.config;

import java.util.UUID;

/** What the store keeps of an object besides its view: the engine's ids, for calls on it. */
record StoredConfig(ConfigView view, UUID engineId, String nativeId) {
}
