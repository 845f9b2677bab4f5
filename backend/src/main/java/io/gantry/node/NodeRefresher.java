package io.gantry.node;

import io.gantry.engine.Engine;
import io.gantry.engine.EngineClients;
import io.gantry.engine.EngineStore;
import io.gantry.spi.Capability;
import io.gantry.spi.EngineException;
import io.gantry.spi.Node;
import io.gantry.sync.SyncCoordinator;
import io.gantry.web.NotFoundException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Keeps {@link NodeDirectory} current: each engine this replica syncs is asked for its nodes once per interval, so
 * that every engine is asked by one replica only, as its workloads are. An engine this replica has just taken on is
 * asked at the next tick (a few seconds), not an interval later. An engine that does not answer keeps the nodes it
 * listed last.
 */
@Component
class NodeRefresher {
    private static final Logger log = LoggerFactory.getLogger(NodeRefresher.class);

    private final EngineStore engines;
    private final EngineClients clients;
    private final SyncCoordinator coordinator;
    private final NodeDirectory directory;
    private final Duration interval;
    /** When each engine this replica syncs was last asked; forgotten when it syncs it no more. */
    private final Map<UUID, Instant> asked = new ConcurrentHashMap<>();

    NodeRefresher(EngineStore engines, EngineClients clients, SyncCoordinator coordinator, NodeDirectory directory,
                  @Value("${gantry.nodes.refresh:PT1M}") Duration interval) {
        this.engines = engines;
        this.clients = clients;
        this.coordinator = coordinator;
        this.directory = directory;
        this.interval = interval;
    }

    @Scheduled(initialDelayString = "PT5S", fixedDelayString = "PT5S")
    void tick() {
        Instant now = Instant.now();
        asked.keySet().removeIf(id -> !coordinator.owns(id));
        for (Engine engine : engines.findAll()) {
            if (coordinator.owns(engine.id()) && !now.isBefore(asked.getOrDefault(engine.id(), Instant.MIN).plus(interval))) {
                asked.put(engine.id(), now);
                refresh(engine);
            }
        }
    }

    private void refresh(Engine engine) {
        try {
            if (!clients.capabilities(engine.id()).contains(Capability.NODES)) {
                return;
            }
            List<Node> nodes = clients.call(engine.id(), "list nodes", c -> c.listNodes());
            directory.record(engine.id(), nodes);
        } catch (EngineException | NotFoundException | DataIntegrityViolationException e) {
            // an engine that did not answer, or was removed since the listing (its nodes then have no engine row)
            log.debug("Engine {}: nodes not refreshed: {}", engine.name(), e.getMessage());
        }
    }
}
