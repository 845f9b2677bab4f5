package io.gantry.operation;

import io.gantry.engine.Engine;
import io.gantry.spi.WorkloadSpec;

/**
 * Whether the secrets and configs a spec references ({@link WorkloadSpec#secrets()}) exist on the engine it goes to.
 * Declared here and implemented by the config feature, so that the workload routes can ask without this package
 * depending on it (the feature packages stay free of cycles).
 */
public interface SpecReferences {
    /**
     * @param namespace the workload's namespace ({@code null} or empty: the engine's default)
     * @throws io.gantry.web.BadRequestException naming {@code spec.secrets[i].source} for each reference to an object
     *                                           the engine does not keep, on an engine that keeps objects of its kind
     */
    void requireExisting(Engine engine, String namespace, WorkloadSpec spec);
}
