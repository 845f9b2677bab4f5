package io.gantry.event;

import io.gantry.access.Scope;
import io.gantry.access.Scopes;
import io.gantry.engine.Engine;
import io.gantry.security.Role;
import io.gantry.engine.EngineClients;
import io.gantry.engine.EngineStore;
import io.gantry.spi.Capability;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.EngineException;
import io.gantry.web.BadRequestException;
import io.gantry.web.NotFoundException;
import io.gantry.web.Page;
import io.gantry.workload.WorkloadStore;
import io.gantry.workload.WorkloadAccess;
import io.gantry.workload.WorkloadView;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class EventApiController {
    private static final int MAX_LIMIT = 500;
    private static final Logger log = LoggerFactory.getLogger(EventApiController.class);

    private final EventStore events;
    private final EngineStore engines;
    private final WorkloadStore workloads;
    private final EngineClients clients;

    private final WorkloadAccess access;
    private final Scopes scopes;
    EventApiController(EventStore events, EngineStore engines, WorkloadStore workloads, EngineClients clients,
                       WorkloadAccess access, Scopes scopes) {
        this.access = access;
        this.scopes = scopes;
        this.events = events;
        this.engines = engines;
        this.workloads = workloads;
        this.clients = clients;
    }

    /** One timeline merged across all engines, newest first. */
    @GetMapping("/api/v1/events")
    Page<EventView> timeline(@RequestParam(required = false) String engine,
                             @RequestParam(required = false) UUID workload,
                             @RequestParam(required = false) String type,
                             @RequestParam(required = false) String since,
                             @RequestParam(defaultValue = "100") int limit) {
        UUID engineId = null;
        if (engine != null && !engine.isBlank()) {
            engineId = engines.findByIdOrName(engine).map(Engine::id)
                    .orElseThrow(() -> BadRequestException.field("engine", "no engine has the id or name '" + engine + "'"));
        }
        String eventType = null;
        if (type != null && !type.isBlank()) {
            eventType = Map.of("normal", EngineEvent.NORMAL, "warning", EngineEvent.WARNING).get(type.toLowerCase());
            if (eventType == null) {
                throw BadRequestException.field("type", "must be Normal or Warning");
            }
        }
        return Page.of(events.find(readable(), engineId, workload, eventType, parseSince(since), checkLimit(limit)));
    }

    /**
     * The events of one workload, newest first; they outlive it. When the engine can list events,
     * its recent ones are fetched and stored first (an unreachable engine leaves the stored ones).
     */
    @GetMapping("/api/v1/workloads/{id}/events")
    Page<EventView> ofWorkload(@PathVariable UUID id, @RequestParam(defaultValue = "100") int limit) {
        checkLimit(limit);
        WorkloadView workload = workloads.find(id).orElse(null);
        if (workload != null && !access.canRead(workload)) {
            throw new NotFoundException("workload", id);
        }
        if (workload != null) {
            fetchFromEngine(workload, limit);
        } else if (!scopes.current().everywhere(Role.VIEWER)) {
            // a deleted workload's events carry no namespace to check a grant against: global viewers only
            throw new NotFoundException("workload", id);
        }
        var found = events.find(readable(), null, id, null, null, limit);
        if (workload == null && found.isEmpty()) {
            throw new NotFoundException("workload", id);
        }
        return Page.of(found);
    }

    private void fetchFromEngine(WorkloadView workload, int limit) {
        Engine engine = engines.find(workload.engine().id()).orElse(null);
        try {
            if (engine != null && clients.capabilities(engine.id()).contains(Capability.EVENTS)) {
                clients.call(engine.id(), "list events", c -> c.events(workload.nativeId(), limit))
                        .forEach(e -> events.record(engine, e));
            }
        } catch (EngineException | NotFoundException unreachable) {
            log.debug("Engine {}: events not fetched: {}", engine.name(), unreachable.getMessage());
        }
    }

    private static int checkLimit(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw BadRequestException.field("limit", "must be between 1 and " + MAX_LIMIT);
        }
        return limit;
    }

    private static Instant parseSince(String since) {
        if (since == null || since.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(since);
        } catch (DateTimeParseException e) {
            throw BadRequestException.field("since", "must be an RFC 3339 UTC time such as 2026-01-31T12:00:00Z");
        }
    }

    private Scope.Condition readable() {
        return scopes.current().sql(Role.VIEWER, "e.name", "w.namespace");
    }
}
