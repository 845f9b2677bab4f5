package io.gantry.spi;

/**
 * What a ping learned about an engine.
 *
 * @param version  engine version as it reports it
 * @param degraded true when the engine answers but Gantry cannot use all of it (not a Swarm
 *                 manager, missing permissions...)
 * @param message  why it is degraded, or a short description; never {@code null}
 */
public record EngineInfo(String version, boolean degraded, String message) {
    public EngineInfo {
        message = message == null ? "" : message;
    }

    public static EngineInfo up(String version) {
        return new EngineInfo(version, false, "");
    }

    public static EngineInfo degraded(String version, String why) {
        return new EngineInfo(version, true, why);
    }
}
