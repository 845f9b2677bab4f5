package io.gantry.operation;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.gantry.spi.EngineClient;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadSpec;
import java.util.Map;

/**
 * What an operation asks of one engine, kept with the operation (column {@code work}) so that the
 * replica syncing the engine can run it, whichever replica accepted it. Hence data, not a lambda.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = EngineWork.Deploy.class, name = "deploy"),
        @JsonSubTypes.Type(value = EngineWork.Update.class, name = "update"),
        @JsonSubTypes.Type(value = EngineWork.Scale.class, name = "scale"),
        @JsonSubTypes.Type(value = EngineWork.Restart.class, name = "restart"),
        @JsonSubTypes.Type(value = EngineWork.Delete.class, name = "delete"),
        @JsonSubTypes.Type(value = EngineWork.Rollback.class, name = "rollback"),
        @JsonSubTypes.Type(value = EngineWork.Relabel.class, name = "relabel")})
sealed interface EngineWork {
    /** What the engine says of the request before anything is journaled (see {@link EngineClient#checkDeploy}). */
    default void check(EngineClient client) {
    }

    /** @return the workload the work produced (a deploy), or {@code null} */
    Workload run(EngineClient client);

    /** The workload acted on, refreshed once the work is done; {@code null} for a deploy. */
    String nativeId();

    /**
     * The message of the revision the work makes once it succeeded ("scale to 3"), or {@code null} when it changes
     * no spec (restart, delete).
     *
     * @param action the operation's action: a deploy may be an {@code import}
     */
    default String revisionMessage(String action) {
        return null;
    }

    record Deploy(WorkloadDefinition definition) implements EngineWork {
        @Override
        public void check(EngineClient client) {
            client.checkDeploy(definition);
        }

        @Override
        public Workload run(EngineClient client) {
            return client.deploy(definition);
        }

        @Override
        public String nativeId() {
            return null;
        }

        @Override
        public String revisionMessage(String action) {
            return action + ": image " + definition.spec().image();
        }
    }

    record Update(String nativeId, WorkloadSpec spec) implements EngineWork {
        @Override
        public void check(EngineClient client) {
            client.checkUpdate(nativeId, spec);
        }

        @Override
        public Workload run(EngineClient client) {
            client.update(nativeId, spec);
            return null;
        }

        @Override
        public String revisionMessage(String action) {
            return "update: image " + spec.image();
        }
    }

    record Scale(String nativeId, int replicas) implements EngineWork {
        @Override
        public void check(EngineClient client) {
            client.checkScale(nativeId, replicas);
        }

        @Override
        public Workload run(EngineClient client) {
            client.scale(nativeId, replicas);
            return null;
        }

        @Override
        public String revisionMessage(String action) {
            return "scale to " + replicas;
        }
    }

    record Restart(String nativeId) implements EngineWork {
        @Override
        public Workload run(EngineClient client) {
            client.restart(nativeId);
            return null;
        }
    }

    record Delete(String nativeId) implements EngineWork {
        @Override
        public Workload run(EngineClient client) {
            client.delete(nativeId);
            return null;
        }
    }

    /**
     * Puts the workload back to the spec of its revision {@code revision}, the engine's own way where it still holds
     * that revision ({@link EngineClient#rollback}).
     *
     * @param engineRevision the engine's id of the revision, or {@code null} when Gantry recorded it itself
     */
    record Rollback(String nativeId, WorkloadSpec spec, String engineRevision, int revision) implements EngineWork {
        @Override
        public void check(EngineClient client) {
            client.checkUpdate(nativeId, spec);
        }

        @Override
        public Workload run(EngineClient client) {
            client.rollback(nativeId, spec, engineRevision);
            return null;
        }

        @Override
        public String revisionMessage(String action) {
            return "rollback to " + revision;
        }
    }

    /** Sets the workload's labels to {@code labels}, its spec untouched (so no revision). */
    record Relabel(String nativeId, Map<String, String> labels) implements EngineWork {
        @Override
        public Workload run(EngineClient client) {
            client.relabel(nativeId, labels);
            return null;
        }
    }
}
