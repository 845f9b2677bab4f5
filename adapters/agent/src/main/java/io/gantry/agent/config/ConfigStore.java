package io.gantry.agent.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.Timestamps;
import io.gantry.agent.api.v1.ConfigKind;
import io.gantry.agent.api.v1.ConfigMeta;
import io.gantry.agent.api.v1.StoredConfig;
import io.gantry.agent.task.AgentFailure;
import io.gantry.agent.task.Names;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The agent's secrets and configs: one sealed file per object, {@code <dir>/<namespace>/<kind>.<name>.sealed}
 * ({@link ConfigCipher}; metadata is sealed too, so the files tell nothing but that an object exists), read once at
 * start and kept in memory. Messages never carry a value: they name the object and the key only.
 */
public final class ConfigStore {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigStore.class);
    /** What a key may be: it becomes a file name (Kubernetes' rule for Secret and ConfigMap keys). */
    private static final Pattern KEY = Pattern.compile("[-._a-zA-Z0-9]{1,253}");
    /** Kubernetes' limit for one Secret or ConfigMap; an agent keeps them all in memory. */
    private static final int MAX_BYTES = 1024 * 1024;

    private final Path dir;
    private final ConfigCipher cipher;
    private final Map<String, StoredConfig> objects = new ConcurrentHashMap<>();

    /** @throws IllegalStateException when a stored object cannot be opened (another token or key) */
    public ConfigStore(Path dir, ConfigCipher cipher) {
        this.dir = dir;
        this.cipher = cipher;
        load();
    }

    public synchronized ConfigMeta create(String namespace, String name, ConfigKind kind, Map<String, String> data) {
        Names.require("name", name);
        ConfigKind k = known(kind);
        String id = key(namespace, k, name);
        if (objects.containsKey(id)) {
            throw AgentFailure.alreadyExists(label(k) + " '" + name + "' already exists in namespace '" + namespace + "'");
        }
        validate(data);
        var now = Timestamps.now();
        StoredConfig stored = StoredConfig.newBuilder().setMeta(ConfigMeta.newBuilder().setNamespace(namespace)
                .setName(name).setKind(k).addAllKeys(data.keySet().stream().sorted().toList()).setVersion(1)
                .setCreatedAt(now).setUpdatedAt(now)).putAllData(data).build();
        save(stored);
        return stored.getMeta();
    }

    /** Replaces the data; the caller restarts the tasks that use it. */
    public synchronized ConfigMeta rotate(String namespace, String name, ConfigKind kind, Map<String, String> data) {
        StoredConfig current = stored(namespace, name, kind);
        validate(data);
        StoredConfig stored = StoredConfig.newBuilder().setMeta(current.getMeta().toBuilder().clearKeys()
                .addAllKeys(data.keySet().stream().sorted().toList()).setVersion(current.getMeta().getVersion() + 1)
                .setUpdatedAt(Timestamps.now())).putAllData(data).build();
        save(stored);
        return stored.getMeta();
    }

    /** The caller checks first that no container uses it. */
    public synchronized void delete(String namespace, String name, ConfigKind kind) {
        StoredConfig current = stored(namespace, name, kind);
        try {
            Files.deleteIfExists(file(current.getMeta()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + label(kind) + " '" + name + "'", e);
        }
        objects.remove(key(namespace, current.getMeta().getKind(), name));
    }

    /** Metadata of {@code namespace}'s objects, of every namespace when it is null. */
    public List<ConfigMeta> list(String namespace) {
        return objects.values().stream().map(StoredConfig::getMeta)
                .filter(m -> namespace == null || namespace.equals(m.getNamespace()))
                .sorted(Comparator.comparing(ConfigMeta::getNamespace).thenComparing(ConfigMeta::getName)
                        .thenComparing(ConfigMeta::getKind))
                .toList();
    }

    /** A CONFIG's values, for the Read RPC: a SECRET's are refused. */
    public Map<String, String> readConfig(String namespace, String name, ConfigKind kind) {
        if (known(kind) == ConfigKind.CONFIG_KIND_SECRET) {
            throw AgentFailure.precondition("a secret's values are never read back");
        }
        return stored(namespace, name, kind).getDataMap();
    }

    /**
     * The values a task gets at start: for the supervisor only, never for an answer.
     *
     * @throws AgentFailure NOT_FOUND when there is no such object
     */
    public Map<String, String> valuesForTask(String namespace, String name, ConfigKind kind) {
        return stored(namespace, name, kind).getDataMap();
    }

    public boolean exists(String namespace, String name, ConfigKind kind) {
        return objects.containsKey(key(namespace, known(kind), name));
    }

    /** UNSPECIFIED is SECRET, the careful reading. */
    public static ConfigKind known(ConfigKind kind) {
        return kind == ConfigKind.CONFIG_KIND_CONFIG ? kind : ConfigKind.CONFIG_KIND_SECRET;
    }

    public static String label(ConfigKind kind) {
        return known(kind) == ConfigKind.CONFIG_KIND_CONFIG ? "config" : "secret";
    }

    private StoredConfig stored(String namespace, String name, ConfigKind kind) {
        StoredConfig s = objects.get(key(namespace, known(kind), name));
        if (s == null) {
            throw AgentFailure.notFound(label(kind) + " '" + name + "' does not exist in namespace '" + namespace + "'");
        }
        return s;
    }

    private static void validate(Map<String, String> data) {
        if (data.isEmpty()) {
            throw AgentFailure.invalid("data: at least one key is required");
        }
        long bytes = 0;
        for (Map.Entry<String, String> e : data.entrySet()) {
            if (!KEY.matcher(e.getKey()).matches() || e.getKey().equals(".") || e.getKey().equals("..")) {
                throw AgentFailure.invalid("data." + e.getKey() + ": a key is 1-253 letters, digits, '-', '_' or '.'");
            }
            bytes += e.getKey().length() + e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (bytes > MAX_BYTES) {
            throw AgentFailure.invalid("data: more than " + MAX_BYTES + " bytes");
        }
    }

    private void save(StoredConfig stored) {
        ConfigMeta m = stored.getMeta();
        Path target = file(m);
        try {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, cipher.seal(stored.toByteArray(), associated(m)));
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store " + label(m.getKind()) + " '" + m.getName() + "'", e);
        }
        objects.put(key(m.getNamespace(), m.getKind(), m.getName()), stored);
    }

    private void load() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> sealed = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir, 2)) {
            walk.filter(p -> p.getFileName().toString().endsWith(".sealed")).forEach(sealed::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the config store " + dir, e);
        }
        for (Path f : sealed) {
            String namespace = f.getParent().getFileName().toString();
            String file = f.getFileName().toString();
            String associated = namespace + "/" + file.substring(0, file.length() - ".sealed".length());
            StoredConfig stored;
            try {
                stored = StoredConfig.parseFrom(cipher.open(Files.readAllBytes(f), associated));
            } catch (GeneralSecurityException | InvalidProtocolBufferException e) {
                throw new IllegalStateException("cannot open the config store entry " + f + ": it was sealed with"
                        + " another key (was the agent's token changed?); move the file away and create the object"
                        + " again");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f, e);
            }
            ConfigMeta m = stored.getMeta();
            objects.put(key(m.getNamespace(), m.getKind(), m.getName()), stored);
        }
        LOG.info("config store: {} object(s) loaded", objects.size());
    }

    private Path file(ConfigMeta m) {
        return dir.resolve(m.getNamespace()).resolve(label(m.getKind()) + "." + m.getName() + ".sealed");
    }

    /** Binds a sealed file to the object it belongs to. */
    private static String associated(ConfigMeta m) {
        return m.getNamespace() + "/" + label(m.getKind()) + "." + m.getName();
    }

    private static String key(String namespace, ConfigKind kind, String name) {
        return namespace + "/" + label(kind) + "/" + name;
    }
}
