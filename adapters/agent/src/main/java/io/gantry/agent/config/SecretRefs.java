package io.gantry.agent.config;

import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.SecretRef;
import io.gantry.agent.task.AgentFailure;
import io.gantry.agent.task.Names;
import io.gantry.agent.task.SecretSource;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks containers' references against the {@link ConfigStore} and resolves them for the task launcher. */
public final class SecretRefs implements SecretSource {
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final ConfigStore store;

    public SecretRefs(ConfigStore store) {
        this.store = store;
    }

    @Override
    public void check(String namespace, ContainerSpec spec) {
        for (int i = 0; i < spec.getSecretsCount(); i++) {
            SecretRef ref = spec.getSecrets(i);
            String field = "spec.secrets[" + i + "].";
            if (!Names.valid(ref.getSource())) {
                throw AgentFailure.invalid(field + "source: '" + ref.getSource() + "' is not a valid object name");
            }
            boolean env = !ref.getEnv().isEmpty();
            boolean file = !ref.getPath().isEmpty();
            if (env == file) {
                throw AgentFailure.invalid(field + "env: set either env (a variable) or path (a file), not "
                        + (env ? "both" : "neither"));
            }
            if (env && !ENV_NAME.matcher(ref.getEnv()).matches()) {
                throw AgentFailure.invalid(field + "env: '" + ref.getEnv() + "' is not a valid variable name");
            }
            if (env && ref.getKey().isEmpty()) {
                throw AgentFailure.invalid(field + "key: an env reference needs the key to read");
            }
            if (file) {
                checkPath(field, ref.getPath(), "runc".equals(spec.getRuntime()));
            }
            if (ref.getMode() < 0 || ref.getMode() > 0777) {
                throw AgentFailure.invalid(field + "mode: must be permission bits 0..0777, got " + ref.getMode());
            }
            if (namespace != null) {
                if (!store.exists(namespace, ref.getSource(), ref.getKind())) {
                    throw AgentFailure.invalid(field + "source: " + ConfigStore.label(ref.getKind()) + " '"
                            + ref.getSource() + "' does not exist in namespace '" + namespace + "'");
                }
                if (!ref.getKey().isEmpty() && !store.valuesForTask(namespace, ref.getSource(), ref.getKind())
                        .containsKey(ref.getKey())) {
                    throw AgentFailure.invalid(field + "key: " + ConfigStore.label(ref.getKind()) + " '"
                            + ref.getSource() + "' has no key '" + ref.getKey() + "'");
                }
            }
        }
    }

    @Override
    public Map<String, String> values(String namespace, SecretRef ref) {
        Map<String, String> all;
        try {
            all = store.valuesForTask(namespace, ref.getSource(), ref.getKind());
        } catch (AgentFailure notFound) {
            throw AgentFailure.precondition(notFound.getMessage());
        }
        if (ref.getKey().isEmpty()) {
            return all;
        }
        String value = all.get(ref.getKey());
        if (value == null) {
            throw AgentFailure.precondition(ConfigStore.label(ref.getKind()) + " '" + ref.getSource()
                    + "' has no key '" + ref.getKey() + "' any more");
        }
        return Map.of(ref.getKey(), value);
    }

    /**
     * A runc path is where the mount goes inside the container: absolute. A raw task's is relative to its secrets
     * directory (a leading '/' dropped), so '..' would let a spec write anywhere the agent may: refused for both.
     */
    private static void checkPath(String field, String path, boolean runc) {
        if (path.indexOf('\0') >= 0) {
            throw AgentFailure.invalid(field + "path: must not contain NUL");
        }
        for (Path part : Path.of(path)) {
            if (part.toString().equals("..")) {
                throw AgentFailure.invalid(field + "path: must not contain '..'");
            }
        }
        if (runc && !path.startsWith("/")) {
            throw AgentFailure.invalid(field + "path: must be absolute for a runc task, got '" + path + "'");
        }
        if (Path.of(path).normalize().getNameCount() == 0 || Path.of(path).normalize().toString().equals("/")) {
            throw AgentFailure.invalid(field + "path: must name a file or directory, got '" + path + "'");
        }
    }
}
