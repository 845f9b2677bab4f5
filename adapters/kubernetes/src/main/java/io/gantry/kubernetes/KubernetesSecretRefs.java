package io.gantry.kubernetes;

import static io.gantry.kubernetes.KubernetesWorkloadMapper.nullSafe;

import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.SecretRef;
import io.kubernetes.client.openapi.models.V1ConfigMapKeySelector;
import io.kubernetes.client.openapi.models.V1ConfigMapVolumeSource;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EnvFromSource;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1EnvVarSource;
import io.kubernetes.client.openapi.models.V1KeyToPath;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1SecretKeySelector;
import io.kubernetes.client.openapi.models.V1SecretVolumeSource;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@link SecretRef}s in a pod template, both ways. Written into the main container:
 * <ul>
 *   <li>an env ref is {@code env[].valueFrom.secretKeyRef|configMapKeyRef};</li>
 *   <li>a file ref (with key) is an item {@code {key, path: key, mode}} of a {@code secret}/{@code configMap} volume
 *       named {@code <secret|config>-<source>-files}, mounted with {@code subPath: key} at the file's path, so the
 *       directory the file lands in is not hidden;</li>
 *   <li>a directory ref is the volume {@code <secret|config>-<source>} (all keys, {@code defaultMode} from the
 *       ref) mounted at the path.</li>
 * </ul>
 * Read back from the main container: those, plus {@code envFrom} (one env ref per key, when the object's keys are
 * known) and a volume with items mounted without subPath (one file ref per item, at {@code mountPath/item.path}).
 * Volumes and mounts of other kinds, and what other containers mount, are left as they are.
 */
final class KubernetesSecretRefs {
    private static final Pattern ENV_NAME = Pattern.compile("^[-._a-zA-Z][-._a-zA-Z0-9]*$");
    private static final Pattern DNS_1123_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");

    /** How a workload uses an object: what a rotation must do for its pods to see the new data. */
    enum Use {
        NONE,
        /** A whole-object volume: the kubelet updates its files in place. */
        LIVE,
        /** Env, envFrom or a subPath file: read once at start, so only a restart brings the new data. */
        AT_START
    }

    private KubernetesSecretRefs() {
    }

    // ---- reading ---------------------------------------------------------------------------------------------

    /** The references of the main container, in the order env, envFrom, mounts. */
    static List<SecretRef> read(V1PodSpec pod, V1Container main, String namespace, ConfigKeys keys) {
        List<SecretRef> refs = new ArrayList<>();
        for (V1EnvVar e : nullSafe(main.getEnv())) {
            V1EnvVarSource from = e.getValueFrom();
            if (from != null && from.getSecretKeyRef() != null) {
                refs.add(new SecretRef(from.getSecretKeyRef().getName(), ConfigKind.SECRET, from.getSecretKeyRef().getKey(),
                        e.getName(), null, null));
            } else if (from != null && from.getConfigMapKeyRef() != null) {
                refs.add(new SecretRef(from.getConfigMapKeyRef().getName(), ConfigKind.CONFIG,
                        from.getConfigMapKeyRef().getKey(), e.getName(), null, null));
            }
        }
        Set<String> explicit = new HashSet<>();
        nullSafe(main.getEnv()).forEach(e -> explicit.add(e.getName()));
        for (V1EnvFromSource from : nullSafe(main.getEnvFrom())) {
            ConfigKind kind = from.getSecretRef() != null ? ConfigKind.SECRET : from.getConfigMapRef() != null ? ConfigKind.CONFIG : null;
            String source = kind == ConfigKind.SECRET ? from.getSecretRef().getName()
                    : kind == ConfigKind.CONFIG ? from.getConfigMapRef().getName() : null;
            List<String> known = source == null ? null : keys.keys(namespace, kind, source);
            if (known == null) {
                // keys unknown (object not cached or not readable): no ref; the writer keeps this envFrom as it is
                continue;
            }
            String prefix = Objects.requireNonNullElse(from.getPrefix(), "");
            for (String key : known) {
                // an env entry of the same name wins over envFrom, as in the kubelet
                if (!explicit.contains(prefix + key)) {
                    refs.add(new SecretRef(source, kind, key, prefix + key, null, null));
                }
            }
        }
        Map<String, V1Volume> volumes = new HashMap<>();
        nullSafe(pod.getVolumes()).forEach(v -> volumes.put(v.getName(), v));
        for (V1VolumeMount mount : nullSafe(main.getVolumeMounts())) {
            V1Volume volume = volumes.get(mount.getName());
            Source source = volume == null ? null : Source.of(volume);
            if (source == null) {
                continue;
            }
            String subPath = mount.getSubPath();
            if (subPath != null && !subPath.isEmpty()) {
                V1KeyToPath item = source.items().stream().filter(i -> subPath.equals(i.getPath())).findFirst().orElse(null);
                String key = item != null ? item.getKey() : subPath;
                Integer mode = item != null && item.getMode() != null ? item.getMode() : source.defaultMode();
                refs.add(SecretRef.file(source.name(), source.kind(), key, mount.getMountPath(), mode));
            } else if (!source.items().isEmpty()) {
                for (V1KeyToPath item : source.items()) {
                    refs.add(SecretRef.file(source.name(), source.kind(), item.getKey(),
                            join(mount.getMountPath(), item.getPath()),
                            item.getMode() != null ? item.getMode() : source.defaultMode()));
                }
            } else {
                refs.add(SecretRef.file(source.name(), source.kind(), null, mount.getMountPath(), source.defaultMode()));
            }
        }
        return refs;
    }

    /** How any container of the pod uses the object (the strongest use wins). */
    static Use use(V1PodSpec pod, ConfigRef ref) {
        if (pod == null) {
            return Use.NONE;
        }
        List<V1Container> containers = new ArrayList<>(nullSafe(pod.getContainers()));
        containers.addAll(nullSafe(pod.getInitContainers()));
        Map<String, Source> volumes = new HashMap<>();
        for (V1Volume v : nullSafe(pod.getVolumes())) {
            Source s = Source.of(v);
            if (s != null && s.kind() == ref.kind() && s.name().equals(ref.name())) {
                volumes.put(v.getName(), s);
            }
        }
        Use use = Use.NONE;
        for (V1Container c : containers) {
            for (V1EnvVar e : nullSafe(c.getEnv())) {
                V1EnvVarSource from = e.getValueFrom();
                if (from != null && (ref.kind() == ConfigKind.SECRET ? from.getSecretKeyRef() != null
                        && ref.name().equals(from.getSecretKeyRef().getName()) : from.getConfigMapKeyRef() != null
                        && ref.name().equals(from.getConfigMapKeyRef().getName()))) {
                    return Use.AT_START;
                }
            }
            for (V1EnvFromSource from : nullSafe(c.getEnvFrom())) {
                if (ref.kind() == ConfigKind.SECRET ? from.getSecretRef() != null && ref.name().equals(from.getSecretRef().getName())
                        : from.getConfigMapRef() != null && ref.name().equals(from.getConfigMapRef().getName())) {
                    return Use.AT_START;
                }
            }
            for (V1VolumeMount m : nullSafe(c.getVolumeMounts())) {
                if (volumes.containsKey(m.getName())) {
                    if (m.getSubPath() != null && !m.getSubPath().isEmpty()) {
                        // the kubelet never updates a subPath mount (kubernetes.io/docs/concepts/configuration/secret)
                        return Use.AT_START;
                    }
                    use = Use.LIVE;
                }
            }
        }
        return use;
    }

    // ---- writing ---------------------------------------------------------------------------------------------

    /**
     * Writes {@code refs} into the main container and the pod's volumes, replacing the references that were there:
     * the env entries it appends (after {@code main}'s plain env, which the caller has written), the mounts and
     * volumes of secrets and configMaps the main container used (a volume another container mounts stays), and
     * the {@code envFrom} of every source the refs name as env (the refs list its keys one by one).
     *
     * @throws InvalidSpecException naming {@code spec.secrets[i].<field>}
     */
    static void write(V1PodSpec pod, V1Container main, List<SecretRef> refs) {
        validate(refs, main);
        List<V1EnvVar> env = new ArrayList<>(nullSafe(main.getEnv()));
        List<V1EnvFromSource> envFrom = new ArrayList<>(nullSafe(main.getEnvFrom()));
        Map<String, V1Volume> volumes = new LinkedHashMap<>();
        nullSafe(pod.getVolumes()).forEach(v -> volumes.put(v.getName(), v));
        List<V1VolumeMount> mounts = new ArrayList<>();
        Set<String> dropped = new HashSet<>();
        for (V1VolumeMount m : nullSafe(main.getVolumeMounts())) {
            V1Volume v = volumes.get(m.getName());
            if (v != null && Source.of(v) != null) {
                dropped.add(m.getName());
            } else {
                mounts.add(m);
            }
        }
        for (V1Container other : nullSafe(pod.getContainers())) {
            if (other != main) {
                nullSafe(other.getVolumeMounts()).forEach(m -> dropped.remove(m.getName()));
            }
        }
        nullSafe(pod.getInitContainers()).forEach(c -> nullSafe(c.getVolumeMounts()).forEach(m -> dropped.remove(m.getName())));
        dropped.forEach(volumes::remove);

        for (SecretRef ref : refs) {
            if (ref.givesEnv()) {
                V1EnvVarSource from = ref.kind() == ConfigKind.SECRET
                        ? new V1EnvVarSource().secretKeyRef(new V1SecretKeySelector().name(ref.source()).key(ref.key()))
                        : new V1EnvVarSource().configMapKeyRef(new V1ConfigMapKeySelector().name(ref.source()).key(ref.key()));
                env.add(new V1EnvVar().name(ref.env()).valueFrom(from));
                envFrom.removeIf(f -> ref.kind() == ConfigKind.SECRET
                        ? f.getSecretRef() != null && ref.source().equals(f.getSecretRef().getName())
                        : f.getConfigMapRef() != null && ref.source().equals(f.getConfigMapRef().getName()));
            } else if (ref.key() != null) {
                String name = volumeName(ref.kind(), ref.source(), true);
                Source source = Source.of(volumes.computeIfAbsent(name, n -> volume(n, ref.kind(), ref.source())));
                if (source.items().stream().noneMatch(i -> ref.key().equals(i.getKey()))) {
                    source.addItem(new V1KeyToPath().key(ref.key()).path(ref.key()).mode(ref.mode()));
                }
                mounts.add(new V1VolumeMount().name(name).mountPath(ref.path()).subPath(ref.key()).readOnly(true));
            } else {
                String name = volumeName(ref.kind(), ref.source(), false);
                Source source = Source.of(volumes.computeIfAbsent(name, n -> volume(n, ref.kind(), ref.source())));
                if (ref.mode() != null) {
                    source.defaultMode(ref.mode());
                }
                mounts.add(new V1VolumeMount().name(name).mountPath(ref.path()).readOnly(true));
            }
        }
        main.env(env.isEmpty() ? null : env).envFrom(envFrom.isEmpty() ? null : envFrom)
                .volumeMounts(mounts.isEmpty() ? null : mounts);
        pod.volumes(volumes.isEmpty() ? null : new ArrayList<>(volumes.values()));
    }

    /**
     * A volume name derived from the source alone, so that the same spec always writes the same template (no
     * rollout from a rename): {@code secret-db} / {@code config-app-files}. A name that is not a DNS-1123 label as
     * it stands (dots, length) is shortened and given a hash of the source, so two sources never share a volume.
     */
    static String volumeName(ConfigKind kind, String source, boolean files) {
        String prefix = kind == ConfigKind.SECRET ? "secret-" : "config-";
        String suffix = files ? "-files" : "";
        String plain = prefix + source + suffix;
        if (plain.length() <= 63 && DNS_1123_LABEL.matcher(plain).matches()) {
            return plain;
        }
        String hash = sha256(source).substring(0, 10);
        String base = source.replace('.', '-');
        int room = 63 - prefix.length() - suffix.length() - hash.length() - 1;
        base = base.substring(0, Math.min(room, base.length())).replaceAll("-+$", "");
        return prefix + base + "-" + hash + suffix;
    }

    private static V1Volume volume(String name, ConfigKind kind, String source) {
        return kind == ConfigKind.SECRET ? new V1Volume().name(name).secret(new V1SecretVolumeSource().secretName(source))
                : new V1Volume().name(name).configMap(new V1ConfigMapVolumeSource().name(source));
    }

    private static void validate(List<SecretRef> refs, V1Container main) {
        List<InvalidSpecException.FieldError> errors = new ArrayList<>();
        Set<String> plainEnv = new HashSet<>();
        nullSafe(main.getEnv()).forEach(e -> plainEnv.add(e.getName()));
        Set<String> envs = new HashSet<>();
        Set<String> paths = new HashSet<>();
        for (int i = 0; i < refs.size(); i++) {
            SecretRef ref = refs.get(i);
            String at = "spec.secrets[" + i + "].";
            if (ref.source() == null || ref.source().length() > 253
                    || !ref.source().matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")) {
                errors.add(new InvalidSpecException.FieldError(at + "source", "must name a Secret or ConfigMap (a DNS-1123 subdomain)"));
            }
            if (ref.givesEnv() == (ref.path() != null)) {
                errors.add(new InvalidSpecException.FieldError(at + "env", "set exactly one of env and path"));
                continue;
            }
            if (ref.givesEnv()) {
                if (ref.key() == null || ref.key().isEmpty()) {
                    errors.add(new InvalidSpecException.FieldError(at + "key", "an env reference needs the key to read"));
                }
                if (!ENV_NAME.matcher(ref.env()).matches()) {
                    errors.add(new InvalidSpecException.FieldError(at + "env", "'" + ref.env() + "' is not a valid variable name"));
                } else if (plainEnv.contains(ref.env()) || !envs.add(ref.env())) {
                    errors.add(new InvalidSpecException.FieldError(at + "env", "'" + ref.env() + "' is set twice"));
                }
            } else {
                if (!ref.path().startsWith("/") || ref.path().contains("..") || ref.path().length() < 2) {
                    errors.add(new InvalidSpecException.FieldError(at + "path", "must be an absolute path without '..'"));
                } else if (!paths.add(ref.path())) {
                    errors.add(new InvalidSpecException.FieldError(at + "path", "'" + ref.path() + "' is mounted twice"));
                }
                if (ref.mode() != null && (ref.mode() < 0 || ref.mode() > 0777)) {
                    errors.add(new InvalidSpecException.FieldError(at + "mode", "must be between 0 and 0777 (octal)"));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException("invalid secret references", errors);
        }
    }

    private static String join(String dir, String file) {
        return dir.endsWith("/") ? dir + file : dir + "/" + file;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A {@code secret} or {@code configMap} volume's source, whichever it is. */
    private record Source(V1Volume volume, ConfigKind kind, String name) {
        static Source of(V1Volume v) {
            if (v.getSecret() != null && v.getSecret().getSecretName() != null) {
                return new Source(v, ConfigKind.SECRET, v.getSecret().getSecretName());
            }
            if (v.getConfigMap() != null && v.getConfigMap().getName() != null) {
                return new Source(v, ConfigKind.CONFIG, v.getConfigMap().getName());
            }
            return null;
        }

        List<V1KeyToPath> items() {
            return nullSafe(kind == ConfigKind.SECRET ? volume.getSecret().getItems() : volume.getConfigMap().getItems());
        }

        Integer defaultMode() {
            return kind == ConfigKind.SECRET ? volume.getSecret().getDefaultMode() : volume.getConfigMap().getDefaultMode();
        }

        void defaultMode(int mode) {
            if (kind == ConfigKind.SECRET) {
                volume.getSecret().defaultMode(mode);
            } else {
                volume.getConfigMap().defaultMode(mode);
            }
        }

        void addItem(V1KeyToPath item) {
            if (kind == ConfigKind.SECRET) {
                volume.getSecret().addItemsItem(item);
            } else {
                volume.getConfigMap().addItemsItem(item);
            }
        }
    }
}
