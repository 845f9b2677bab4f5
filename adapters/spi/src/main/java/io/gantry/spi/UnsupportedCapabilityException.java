package io.gantry.spi;

/** The engine cannot do this at all (e.g. Marathon logs without a Mesos URL). Maps to 422 naming the capability. */
public final class UnsupportedCapabilityException extends EngineException {
    private final Capability capability;

    public UnsupportedCapabilityException(Capability capability, String why) {
        super(why, null);
        this.capability = capability;
    }

    public Capability capability() {
        return capability;
    }
}
