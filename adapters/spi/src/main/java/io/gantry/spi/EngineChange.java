package io.gantry.spi;

/** A fact pushed by an engine's watch stream. */
public sealed interface EngineChange {

    /** A workload was created or changed; carries its full new state. */
    record WorkloadChanged(Workload workload) implements EngineChange {
    }

    /** A workload is gone from the engine. */
    record WorkloadRemoved(String nativeId) implements EngineChange {
    }

    /** The engine said something about a workload. */
    record EventObserved(EngineEvent event) implements EngineChange {
    }

    /**
     * The stream lost continuity (reconnect after a gap, Kubernetes 410 Gone, Marathon leader
     * change): the receiver must run a full resync to learn what it missed.
     */
    record ResyncRequired(String reason) implements EngineChange {
    }
}
