package io.gantry.agent.runtime;

import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.EnvVar;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The whole environment of a task, built from nothing: a fixed {@code PATH}, {@code HOME}, {@code LANG}, then the
 * spec's variables, then the agent's ({@code PORTn}, {@code PORT_x}, {@code GANTRY_NAMESPACE}...). Nothing of the
 * agent's own environment, or of the server embedding it (its admin password, its tokens), reaches a task.
 */
public final class TaskEnvironment {
    /** The PATH of Debian's login shells and of Docker's default image environment. */
    public static final String SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private TaskEnvironment() {
    }

    /** @param home the task's home: its working directory for raw, {@code /} inside a runc container */
    public static Map<String, String> of(String home, ContainerSpec spec, Map<String, String> agentVariables) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", SAFE_PATH);
        env.put("HOME", home);
        env.put("LANG", "C.UTF-8");
        for (EnvVar var : spec.getEnvList()) {
            env.put(var.getName(), var.getValue());
        }
        env.putAll(agentVariables);
        return env;
    }

    /** Makes {@code builder} start its process with exactly {@code env}. */
    static ProcessBuilder apply(ProcessBuilder builder, Map<String, String> env) {
        builder.environment().clear();
        builder.environment().putAll(env);
        return builder;
    }
}
