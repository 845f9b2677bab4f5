package io.gantry.agent.task;

import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.SecretRef;
import io.gantry.agent.runtime.LaunchRequest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a task gets of its secret and config references: variables (read at each start, so a rotation reaches a task
 * by restarting it) and files ({@link SecretFiles}).
 *
 * @param source the values, from the agent's config store
 * @param files  where the file references are written
 */
public record TaskSecrets(SecretSource source, SecretFiles files) {
    /** Variable a raw task finds its secret files under: its paths are relative to it. */
    public static final String SECRETS_DIR_VARIABLE = "GANTRY_SECRETS_DIR";

    /**
     * @throws AgentFailure FAILED_PRECONDITION when a referenced object or key is gone
     */
    Map<String, String> env(LaunchRequest.Identity task, ContainerSpec spec) {
        Map<String, String> env = new LinkedHashMap<>();
        for (SecretRef ref : spec.getSecretsList()) {
            if (!ref.getEnv().isEmpty()) {
                env.put(ref.getEnv(), source.values(task.namespace(), ref).get(ref.getKey()));
            }
        }
        if (!"runc".equals(spec.getRuntime()) && SecretFiles.hasFiles(spec)) {
            env.put(SECRETS_DIR_VARIABLE, files.dir(task).toString());
        }
        return env;
    }
}
