package io.gantry.spi;

/** The engine has no such workload. Maps to 404. */
public final class WorkloadNotFoundException extends EngineException {
    private final String nativeId;

    public WorkloadNotFoundException(String nativeId) {
        super("workload '" + nativeId + "' does not exist on the engine", null);
        this.nativeId = nativeId;
    }

    public String nativeId() {
        return nativeId;
    }
}
