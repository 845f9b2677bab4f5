package io.gantry.spi.config;

/**
 * One use of a config object by a workload ({@link io.gantry.spi.WorkloadSpec#secrets()}): either an environment
 * variable from one key ({@code env} and {@code key} set), or a file from one key ({@code path} and {@code key}),
 * or every key as a file under a directory ({@code path} alone). References carry names, never values, so specs,
 * revisions, manifests and comparisons stay free of them.
 *
 * @param source the referenced object's {@link ConfigObject#name()} in the workload's namespace
 * @param kind   the referenced object's kind ({@link ConfigKind#SECRET} when {@code null})
 * @param key    the key to use; {@code null} for all keys under the directory {@code path}
 * @param env    the environment variable to set, or {@code null} for a file
 * @param path   the absolute file (with {@code key}) or directory (without) in the instance, or {@code null} for env
 * @param mode   file permission bits (e.g. {@code 0400}); {@code null} for the engine's default (0444 on Swarm and
 *               Kubernetes, 0400 on the agent); ignored for env
 */
public record SecretRef(String source, ConfigKind kind, String key, String env, String path, Integer mode) {
    public SecretRef {
        kind = kind == null ? ConfigKind.SECRET : kind;
    }

    public static SecretRef env(String source, String key, String env) {
        return new SecretRef(source, ConfigKind.SECRET, key, env, null, null);
    }

    public static SecretRef file(String source, ConfigKind kind, String key, String path, Integer mode) {
        return new SecretRef(source, kind, key, null, path, mode);
    }

    /**
     * Whether this reference sets an environment variable (else it makes a file). Not {@code isEnv()}: JSON mappers
     * would take that for the property {@code env} and write {@code "env": true} instead of the variable's name.
     */
    public boolean givesEnv() {
        return env != null;
    }
}
