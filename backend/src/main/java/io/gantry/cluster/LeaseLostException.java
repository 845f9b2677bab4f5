package io.gantry.cluster;

/** A write was refused because the engine's lease is no longer the one it carried. */
public class LeaseLostException extends RuntimeException {
    public LeaseLostException(Fence fence) {
        super("the lease of engine " + fence.engineId() + " with token " + fence.token() + " is no longer held");
    }
}
