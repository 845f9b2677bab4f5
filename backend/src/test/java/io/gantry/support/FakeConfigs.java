package io.gantry.support;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.config.ConfigDefinition;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.ConfigObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The secrets and configs of a {@link FakeEngine}: a map of objects with their values, versions counted per rotation.
 * Each call goes through the engine's failure mode first ({@code enter}).
 */
final class FakeConfigs {
    private record Stored(ConfigObject object, Map<String, String> data) {
    }

    private final String engine;
    private final Consumer<String> enter;
    private final Map<String, Stored> objects = new ConcurrentHashMap<>();
    private final AtomicReference<RuntimeException> nextWriteFails = new AtomicReference<>();

    FakeConfigs(String engine, Consumer<String> enter) {
        this.engine = engine;
        this.enter = enter;
    }

    void failNextWrite(RuntimeException failure) {
        nextWriteFails.set(failure);
    }

    Optional<Map<String, String>> data(String namespace, String name, ConfigKind kind) {
        return Optional.ofNullable(objects.get(id(namespace, name, kind))).map(Stored::data);
    }

    List<ConfigObject> list() {
        enter.accept("listConfigs");
        return objects.values().stream().map(Stored::object).toList();
    }

    ConfigObject create(ConfigDefinition d) {
        write("createConfig " + d.name());
        String id = id(d.namespace(), d.name(), d.kind());
        Instant now = Instant.now();
        Stored made = new Stored(new ConfigObject(id, d.namespace(), d.name(), d.kind(), List.copyOf(d.data().keySet()),
                "1", now, now), Map.copyOf(d.data()));
        if (objects.putIfAbsent(id, made) != null) {
            throw new EngineConflictException(engine + ": " + id + " already exists");
        }
        return made.object();
    }

    ConfigObject rotate(String nativeId, Map<String, String> data) {
        write("rotateConfig " + nativeId);
        ConfigObject o = existing(nativeId).object();
        Stored rotated = new Stored(new ConfigObject(o.nativeId(), o.namespace(), o.name(), o.kind(),
                List.copyOf(data.keySet()), String.valueOf(Long.parseLong(o.version()) + 1), o.createdAt(), Instant.now()),
                Map.copyOf(data));
        objects.put(nativeId, rotated);
        return rotated.object();
    }

    Map<String, String> read(String nativeId) {
        enter.accept("readConfig " + nativeId);
        Stored stored = existing(nativeId);
        if (stored.object().kind() != ConfigKind.CONFIG) {
            throw new UnsupportedCapabilityException(Capability.SECRETS, "secret values are write-only");
        }
        return stored.data();
    }

    void delete(String nativeId) {
        write("deleteConfig " + nativeId);
        existing(nativeId);
        objects.remove(nativeId);
    }

    private static String id(String namespace, String name, ConfigKind kind) {
        return kind.name().toLowerCase() + ":" + namespace + "/" + name;
    }

    private void write(String call) {
        enter.accept(call);
        RuntimeException failure = nextWriteFails.getAndSet(null);
        if (failure != null) {
            throw failure;
        }
    }

    private Stored existing(String nativeId) {
        Stored stored = objects.get(nativeId);
        if (stored == null) {
            throw new WorkloadNotFoundException(nativeId);
        }
        return stored;
    }
}
