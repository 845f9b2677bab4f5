package io.gantry.config;

import io.gantry.access.Scope;
import io.gantry.access.Scopes;
import io.gantry.engine.Engine;
import io.gantry.engine.EngineClients;
import io.gantry.engine.EngineStore;
import io.gantry.operation.ConfigOperations;
import io.gantry.operation.Operation;
import io.gantry.security.Role;
import io.gantry.spi.Capability;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.config.ConfigDefinition;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.ConfigObject;
import io.gantry.web.BadRequestException;
import io.gantry.web.ConflictException;
import io.gantry.web.ForbiddenException;
import io.gantry.web.NotFoundException;
import io.gantry.web.ProblemException;
import io.gantry.web.ProblemType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;

/**
 * Reads one object and makes the changes the routes ask for: create, rotate (a journaled operation), delete. Access
 * is checked against the object's engine and namespace; messages and logs name objects and keys, never values.
 */
@Component
class ConfigChanges {
    private static final Logger log = LoggerFactory.getLogger(ConfigChanges.class);

    private final ConfigCatalog catalog;
    private final ConfigStore store;
    private final EngineStore engines;
    private final EngineClients clients;
    private final ConfigOperations operations;
    private final Scopes scopes;

    ConfigChanges(ConfigCatalog catalog, ConfigStore store, EngineStore engines, EngineClients clients,
                  ConfigOperations operations, Scopes scopes) {
        this.catalog = catalog;
        this.store = store;
        this.engines = engines;
        this.clients = clients;
        this.operations = operations;
        this.scopes = scopes;
    }

    /** The object, with a CONFIG's values for a caller who may operate where it lives; 404 outside the caller's reach. */
    ConfigView read(UUID id) {
        StoredConfig stored = readable(id);
        ConfigView view = stored.view();
        if (view.kind() == ConfigKind.CONFIG && scopes.current().allows(Role.OPERATOR, view.engine(), view.namespace())) {
            return view.withData(clients.call(stored.engineId(), "read config " + view.name(),
                    c -> c.readConfig(stored.nativeId())));
        }
        return view;
    }

    ConfigView create(ConfigRequests.CreateConfig body) {
        ConfigKind kind = ConfigRequests.check(body);
        Engine engine = engines.findByIdOrName(body.engine())
                .orElseThrow(() -> BadRequestException.field("engine", "no engine has the id or name '" + body.engine() + "'"));
        String namespace = body.namespace() == null ? "" : body.namespace();
        requireOperator(engine.name(), namespace);
        requireKept(engine, kind);
        if (catalog.findByName(engine, namespace, body.name(), kind).isPresent()) {
            throw new ConflictException("a " + kind.name().toLowerCase(Locale.ROOT) + " named '" + body.name()
                    + "' exists in namespace '" + namespace + "' of engine '" + engine.name() + "'");
        }
        ConfigDefinition definition = new ConfigDefinition(namespace, body.name(), kind, body.data());
        ConfigObject created = clients.call(engine.id(), "create " + kind.name().toLowerCase(Locale.ROOT),
                c -> c.createConfig(definition));
        catalog.written(engine, created);
        log.info("Engine {}: {} {}/{} created with keys {}", engine.name(), kind, namespace, body.name(), created.keys());
        return store.find(ConfigStore.idOf(engine.id(), created.nativeId())).orElseThrow().view();
    }

    /** New values for every key (keys left out are dropped), as a journaled operation; 202 with it. */
    Operation rotate(UUID id, ConfigRequests.RotateConfig body, String idempotencyKey) {
        StoredConfig stored = readable(id);
        ConfigView view = stored.view();
        ConfigRequests.check(body);
        requireOperator(view.engine(), view.namespace());
        Engine engine = engineOf(stored);
        requireKept(engine, view.kind());
        List<String> keys = body.data().keySet().stream().sorted().toList();
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("config", view.id());
        request.put("engine", engine.id());
        request.put("namespace", view.namespace());
        request.put("name", view.name());
        request.put("kind", view.kind());
        request.put("keys", keys);
        Map<String, String> data = Map.copyOf(body.data());
        return operations.rotate(engine, idempotencyKey, request, () -> {
            ConfigObject rotated = clients.call(engine.id(), "rotate " + view.name(),
                    c -> c.rotateConfig(stored.nativeId(), data));
            catalog.written(engine, rotated);
            return "rotated " + view.kind().name().toLowerCase(Locale.ROOT) + " " + view.name() + ": keys " + keys
                    + ", version " + rotated.version();
        });
    }

    /** Deletes the object unless a workload references it (a 409 listing them). */
    void delete(UUID id) {
        StoredConfig stored = readable(id);
        ConfigView view = stored.view();
        requireOperator(view.engine(), view.namespace());
        Engine engine = engineOf(stored);
        requireKept(engine, view.kind());
        if (!view.usedBy().isEmpty()) {
            throw new ProblemException(ProblemType.CONFLICT, view.kind().name().toLowerCase(Locale.ROOT) + " '"
                    + view.name() + "' is used by " + view.usedBy().size() + " workload(s): "
                    + view.usedBy().stream().map(ConfigView.ConfigUser::name).toList(), List.of(),
                    Map.of("usedBy", view.usedBy()), HttpHeaders.EMPTY);
        }
        try {
            clients.call(engine.id(), "delete " + view.name(), c -> {
                c.deleteConfig(stored.nativeId());
                return null;
            });
        } catch (WorkloadNotFoundException gone) {
            // deleted on the engine already: the row goes too
        }
        store.remove(id);
        log.info("Engine {}: {} {}/{} deleted", engine.name(), view.kind(), view.namespace(), view.name());
    }

    private StoredConfig readable(UUID id) {
        return store.find(id)
                .filter(s -> scopes.current().allows(Role.VIEWER, s.view().engine(), s.view().namespace()))
                .orElseThrow(() -> new NotFoundException("config", id));
    }

    private void requireOperator(String engine, String namespace) {
        Scope scope = scopes.current();
        if (!scope.allows(Role.OPERATOR, engine, namespace)) {
            throw new ForbiddenException("namespace", "changing secrets and configs in namespace '" + namespace
                    + "' of engine '" + engine + "' takes OPERATOR there");
        }
    }

    private Engine engineOf(StoredConfig stored) {
        return engines.find(stored.engineId()).orElseThrow(() -> new NotFoundException("engine", stored.engineId()));
    }

    private void requireKept(Engine engine, ConfigKind kind) {
        if (!catalog.keeps(engine, kind)) {
            Capability needs = kind == ConfigKind.CONFIG ? Capability.CONFIGS : Capability.SECRETS;
            throw new UnsupportedCapabilityException(needs, "engine '" + engine.name() + "' keeps no "
                    + (kind == ConfigKind.CONFIG ? "configs" : "secrets"));
        }
    }
}
