package io.gantry.config;

import io.gantry.access.Scope;
import io.gantry.access.Scopes;
import io.gantry.engine.Engine;
import io.gantry.engine.EngineClients;
import io.gantry.engine.EngineStatus;
import io.gantry.engine.EngineStore;
import io.gantry.security.Role;
import io.gantry.spi.Capability;
import io.gantry.spi.EngineException;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.ConfigObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * What Gantry knows of the engines' secrets and configs: the {@link ConfigStore} rows, refreshed from
 * {@code listConfigs()} when a read finds them older than {@link #FRESHNESS}, and written at once after a create,
 * rotation or delete. Refreshed on read rather than in each engine's sync cycle: objects change rarely and mostly
 * through Gantry (which writes the row itself), most engines' sync loops would gain a call per cycle for nothing,
 * and a read sees a change made outside Gantry within the bound anyway. An engine that does not answer (or is DOWN)
 * leaves the stored rows as they were (the read is served from them). The bound is kept per server: replicas each
 * refresh on their own reads.
 */
@Component
class ConfigCatalog {
    static final Duration FRESHNESS = Duration.ofSeconds(15);
    private static final Logger log = LoggerFactory.getLogger(ConfigCatalog.class);

    private final ConfigStore store;
    private final EngineStore engines;
    private final EngineClients clients;
    private final Scopes scopes;
    private final Clock clock = Clock.systemUTC();
    private final Map<UUID, Instant> refreshed = new ConcurrentHashMap<>();

    ConfigCatalog(ConfigStore store, EngineStore engines, EngineClients clients, Scopes scopes) {
        this.store = store;
        this.engines = engines;
        this.clients = clients;
        this.scopes = scopes;
    }

    /** The objects the caller may read, after refreshing the engines they touch (and {@code engineIdOrName} names). */
    List<ConfigView> list(String engineIdOrName, String namespace, ConfigKind kind) {
        Scope scope = scopes.current();
        String engine = engineIdOrName == null ? null
                : engines.findByIdOrName(engineIdOrName).map(Engine::name).orElse(engineIdOrName);
        engines.findAll().stream()
                .filter(e -> engine == null || e.name().equals(engine))
                .filter(e -> scope.touchesEngine(Role.VIEWER, e.name()))
                .forEach(this::refreshIfStale);
        return store.list(scope.sql(Role.VIEWER, "c.engine_name", "c.namespace"), engine, namespace, kind);
    }

    /** The object of that name and kind in the namespace, as the engine listed it at most {@link #FRESHNESS} ago. */
    Optional<StoredConfig> findByName(Engine engine, String namespace, String name, ConfigKind kind) {
        refreshIfStale(engine);
        return store.findByName(engine.id(), namespace, name, kind);
    }

    /** Whether the engine keeps objects of {@code kind} as configured. */
    boolean keeps(Engine engine, ConfigKind kind) {
        return capabilities(engine).contains(kind == ConfigKind.CONFIG ? Capability.CONFIGS : Capability.SECRETS);
    }

    void written(Engine engine, ConfigObject object) {
        store.put(engine.id(), engine.name(), object, clock.instant());
    }

    private Set<Capability> capabilities(Engine engine) {
        try {
            return clients.capabilities(engine.id());
        } catch (RuntimeException e) {
            // an engine that cannot even be connected to keeps nothing we can reach now
            return Set.of();
        }
    }

    private void refreshIfStale(Engine engine) {
        Instant now = clock.instant();
        Instant last = refreshed.get(engine.id());
        if (last != null && last.plus(FRESHNESS).isAfter(now)) {
            return;
        }
        // one attempt per bound, whatever its outcome: a list across many engines must not wait for a broken one
        // at every read (each attempt may take the engine's call timeout)
        refreshed.put(engine.id(), now);
        if (engine.status() == EngineStatus.DOWN) {
            return;
        }
        Set<Capability> can = capabilities(engine);
        if (!can.contains(Capability.SECRETS) && !can.contains(Capability.CONFIGS)) {
            return;
        }
        try {
            // rows written after the listing began (a create racing it) are newer than it and stay
            Instant started = clock.instant();
            List<ConfigObject> listed = clients.call(engine.id(), "list configs", c -> c.listConfigs());
            store.replaceAll(engine.id(), engine.name(), listed, started);
        } catch (EngineException e) {
            // served from the stored rows until the next attempt
            log.warn("Engine {}: listing its secrets and configs failed: {}", engine.name(), e.getMessage());
        }
    }
}
