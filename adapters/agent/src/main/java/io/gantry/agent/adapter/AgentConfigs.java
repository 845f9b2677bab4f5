package io.gantry.agent.adapter;

import io.gantry.agent.api.v1.ConfigKind;
import io.gantry.agent.api.v1.ConfigMeta;
import io.gantry.agent.api.v1.CreateConfigRequest;
import io.gantry.agent.api.v1.DeleteConfigRequest;
import io.gantry.agent.api.v1.ListConfigsRequest;
import io.gantry.agent.api.v1.ReadConfigRequest;
import io.gantry.agent.api.v1.RotateConfigRequest;
import io.gantry.spi.Capability;
import io.gantry.spi.EngineException;
import io.gantry.spi.EngineMessages;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.config.ConfigDefinition;
import io.gantry.spi.config.ConfigObject;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One agent's secrets and configs (its Configs service). An object's native id is
 * {@code <namespace>/<secret|config>/<name>}: the agent keeps the two kinds apart, so one name may be both.
 */
final class AgentConfigs {
    /** A rotation restarts the tasks using the object one by one, each waiting for its stop. */
    private static final Duration ROTATE_ALLOWANCE = Duration.ofSeconds(60);
    /** The agent words invalid-data messages as {@code name ...}, {@code data: why} or {@code data.<key>: why}. */
    private static final Pattern FIELD = Pattern.compile("^(name|data(?:\\.[-._a-zA-Z0-9]+)?):? (.*)$");
    private static final String DEFAULT_NAMESPACE = "default";

    /** An object's identity on the agent. */
    record Ref(String namespace, ConfigKind kind, String name) {
        String nativeId() {
            return namespace + "/" + (kind == ConfigKind.CONFIG_KIND_CONFIG ? "config" : "secret") + "/" + name;
        }
    }

    private final AgentStubs stubs;
    private final String engine;
    /** Agent namespaces this engine shows; empty for all. */
    private final Set<String> namespaces;

    AgentConfigs(AgentStubs stubs, String engine, Set<String> namespaces) {
        this.stubs = stubs;
        this.engine = engine;
        this.namespaces = namespaces;
    }

    List<ConfigObject> list() {
        return call(null, () -> stubs.configs(null, Duration.ZERO).list(ListConfigsRequest.getDefaultInstance()))
                .getConfigsList().stream()
                .filter(m -> namespaces.isEmpty() || namespaces.contains(m.getNamespace()))
                .map(AgentConfigs::toObject).toList();
    }

    ConfigObject create(ConfigDefinition definition) {
        String namespace = definition.namespace().isEmpty() ? DEFAULT_NAMESPACE : definition.namespace();
        Ref ref = new Ref(namespace, kind(definition.kind()), definition.name());
        return toObject(call(ref.nativeId(), () -> stubs.configs(namespace, Duration.ZERO).create(
                CreateConfigRequest.newBuilder().setName(ref.name()).setKind(ref.kind())
                        .putAllData(definition.data()).build())).getConfig());
    }

    ConfigObject rotate(String nativeId, Map<String, String> data) {
        Ref ref = ref(nativeId);
        return toObject(call(nativeId, () -> stubs.configs(ref.namespace(), ROTATE_ALLOWANCE).rotate(
                RotateConfigRequest.newBuilder().setName(ref.name()).setKind(ref.kind()).putAllData(data).build()))
                .getConfig());
    }

    Map<String, String> read(String nativeId) {
        Ref ref = ref(nativeId);
        if (ref.kind() != ConfigKind.CONFIG_KIND_CONFIG) {
            throw new UnsupportedCapabilityException(Capability.SECRETS, "a secret's values are never read back");
        }
        return call(nativeId, () -> stubs.configs(ref.namespace(), Duration.ZERO).read(ReadConfigRequest.newBuilder()
                .setName(ref.name()).setKind(ref.kind()).build())).getDataMap();
    }

    void delete(String nativeId) {
        Ref ref = ref(nativeId);
        call(nativeId, () -> stubs.configs(ref.namespace(), Duration.ZERO).delete(DeleteConfigRequest.newBuilder()
                .setName(ref.name()).setKind(ref.kind()).build()));
    }

    static ConfigObject toObject(ConfigMeta m) {
        return new ConfigObject(new Ref(m.getNamespace(), m.getKind(), m.getName()).nativeId(), m.getNamespace(),
                m.getName(), toObjectKind(m.getKind()), m.getKeysList(), Long.toString(m.getVersion()),
                m.hasCreatedAt() ? AgentWorkloadMapper.instant(m.getCreatedAt()) : null,
                m.hasUpdatedAt() ? AgentWorkloadMapper.instant(m.getUpdatedAt()) : null);
    }

    /** UNSPECIFIED is SECRET, as on the agent. */
    static io.gantry.spi.config.ConfigKind toObjectKind(ConfigKind kind) {
        return kind == ConfigKind.CONFIG_KIND_CONFIG ? io.gantry.spi.config.ConfigKind.CONFIG
                : io.gantry.spi.config.ConfigKind.SECRET;
    }

    static ConfigKind kind(io.gantry.spi.config.ConfigKind kind) {
        return kind == io.gantry.spi.config.ConfigKind.CONFIG ? ConfigKind.CONFIG_KIND_CONFIG
                : ConfigKind.CONFIG_KIND_SECRET;
    }

    static Ref ref(String nativeId) {
        return parse(nativeId).orElseThrow(() -> new WorkloadNotFoundException(nativeId));
    }

    static Optional<Ref> parse(String nativeId) {
        String[] parts = nativeId == null ? new String[0] : nativeId.split("/", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[2].isEmpty()
                || !(parts[1].equals("secret") || parts[1].equals("config"))) {
            return Optional.empty();
        }
        return Optional.of(new Ref(parts[0], parts[1].equals("config") ? ConfigKind.CONFIG_KIND_CONFIG
                : ConfigKind.CONFIG_KIND_SECRET, parts[2]));
    }

    private <T> T call(String nativeId, Supplier<T> rpc) {
        try {
            return rpc.get();
        } catch (StatusRuntimeException e) {
            throw error(e, engine, nativeId);
        }
    }

    /** As {@link AgentErrors#map}, with the config fields ({@code name}, {@code data.<key>}) for bad data. */
    static EngineException error(StatusRuntimeException e, String engine, String nativeId) {
        if (e.getStatus().getCode() != Status.Code.INVALID_ARGUMENT) {
            return AgentErrors.map(e, engine, nativeId);
        }
        String detail = EngineMessages.sanitize(e.getStatus().getDescription());
        Matcher m = FIELD.matcher(detail);
        String field = m.matches() ? m.group(1) : "data";
        return new InvalidSpecException(detail, List.of(new InvalidSpecException.FieldError(field, detail)));
    }
}
