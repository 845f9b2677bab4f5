package io.gantry.agent.task;

import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.SecretRef;
import java.util.Map;

/** Where the secrets and configs that containers reference come from: the agent's config store. */
public interface SecretSource {

    /**
     * Checks a spec's references: their shape always, that each object and key exists when {@code namespace} is
     * not null.
     *
     * @throws AgentFailure INVALID_ARGUMENT worded {@code spec.secrets[i].<field>: why}
     */
    void check(String namespace, ContainerSpec spec);

    /**
     * The values one reference gives a task: its key's only, or every key for a directory reference.
     *
     * @throws AgentFailure FAILED_PRECONDITION when the object or key is gone (the task cannot start)
     */
    Map<String, String> values(String namespace, SecretRef ref);
}
