package io.gantry.engine;

/** Reachability of an engine as the last ping saw it. */
public enum EngineStatus {
    UP, DOWN, DEGRADED, UNKNOWN
}
