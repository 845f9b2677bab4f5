package io.gantry.operation;

import io.gantry.engine.Engine;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * Journaled operations on an engine's secrets and configs (the {@code io.gantry.config} routes), listed, scoped and
 * streamed like every other operation. A rotation carries new values, so it is run as steps on the replica that
 * accepted it: its work is never written to the journal ({@code operations.work}), where a value would rest in the
 * database; a replica that dies meanwhile leaves it to {@link OperationRecovery} to mark FAILED, as for a copy.
 */
@Component
public class ConfigOperations {
    private final OperationService operations;

    ConfigOperations(OperationService operations) {
        this.operations = operations;
    }

    /**
     * @param request  what the journal keeps of the request: names, kind, namespace and keys, never values
     * @param rotation calls the engine; answers the operation's final message (keys only)
     */
    public Operation rotate(Engine engine, String idempotencyKey, Map<String, Object> request, Supplier<String> rotation) {
        return operations.submitSteps("rotate", engine, null, idempotencyKey, request, List.of(),
                progress -> rotation.get());
    }
}
