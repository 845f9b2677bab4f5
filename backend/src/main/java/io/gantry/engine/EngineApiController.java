package io.gantry.engine;

import io.gantry.access.Scope;
import io.gantry.access.Scopes;
import io.gantry.security.Role;
import io.gantry.cluster.EngineLeases;
import io.gantry.spi.Node;
import io.gantry.web.NotFoundException;
import io.gantry.web.Page;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/engines")
class EngineApiController {
    private final EngineService service;
    private final EngineStore store;
    private final EngineClients clients;
    private final EngineLeases leases;
    private final PrivilegedRuntimes runtimes;
    private final Scopes scopes;
    private final SyncProgressStore progress;

    EngineApiController(EngineService service, EngineStore store, EngineClients clients, EngineLeases leases,
                        PrivilegedRuntimes runtimes, Scopes scopes, SyncProgressStore progress) {
        this.scopes = scopes;
        this.progress = progress;
        this.service = service;
        this.store = store;
        this.clients = clients;
        this.leases = leases;
        this.runtimes = runtimes;
    }

    /** The engines the caller's grants touch (all, for a global VIEWER), each with the workloads they may see. */
    @GetMapping
    Page<EngineView> list() {
        Scope scope = scopes.current();
        Map<UUID, Long> counts = store.workloadCounts(workloadsIn(scope));
        Map<UUID, String> owners = leases.owners();
        Map<UUID, SyncProgress> syncs = progress.findAll();
        return Page.of(store.findAll().stream().filter(e -> scope.touchesEngine(Role.VIEWER, e.name()))
                .map(e -> view(e, counts, owners, null, syncs.get(e.id()))).toList());
    }

    @GetMapping("/{id}")
    EngineView get(@PathVariable String id) {
        Engine engine = visible(id);
        // an engine known to be down is not asked: this read must not wait for its call timeout
        boolean reachable = engine.status() == EngineStatus.UP || engine.status() == EngineStatus.DEGRADED;
        return view(engine, store.workloadCount(engine.id(), workloadsIn(scopes.current())), leases.owners(),
                reachable ? runtimes.choices(engine.id()) : List.of(), progress.find(engine.id()).orElse(null));
    }

    @PostMapping
    ResponseEntity<EngineView> create(@Valid @RequestBody EngineRequest request) {
        Engine engine = service.create(request);
        return ResponseEntity.created(URI.create("/api/v1/engines/" + engine.id()))
                .body(view(engine, Map.of(), leases.owners(), null, null));
    }

    /** Tests a registration without saving it (ADMIN): {@code {ok, version, message}}. */
    @PostMapping("/test")
    EngineService.ConnectionTest test(@Valid @RequestBody EngineRequest request) {
        return service.test(request);
    }

    @PutMapping("/{id}")
    EngineView update(@PathVariable String id, @Valid @RequestBody EngineRequest request) {
        Engine engine = service.update(engine(id).id(), request);
        return view(engine, store.workloadCount(engine.id(), workloadsIn(scopes.current())), leases.owners(), null,
                progress.find(engine.id()).orElse(null));
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id) {
        service.delete(engine(id).id());
        return ResponseEntity.noContent().build();
    }

    /** An engine's machines: infrastructure of the whole engine, so only for a grant on all its namespaces. */
    @GetMapping("/{id}/nodes")
    Map<String, List<Node>> nodes(@PathVariable String id) {
        Engine engine = visible(id);
        if (!scopes.current().allowsEngine(Role.VIEWER, engine.name())) {
            throw new NotFoundException("engine", id);
        }
        return Map.of("items", clients.call(engine.id(), "list nodes", c -> c.listNodes()));
    }

    /** An engine the caller's grants touch; any other is a 404, as if it did not exist. */
    private Engine visible(String idOrName) {
        return store.findByIdOrName(idOrName).filter(e -> scopes.current().touchesEngine(Role.VIEWER, e.name()))
                .orElseThrow(() -> new NotFoundException("engine", idOrName));
    }

    private static Scope.Condition workloadsIn(Scope scope) {
        return scope.sql(Role.VIEWER, "engine_name", "namespace");
    }

    private Engine engine(String idOrName) {
        return store.findByIdOrName(idOrName).orElseThrow(() -> new NotFoundException("engine", idOrName));
    }

    /**
     * @param owners   the replica holding each engine's lease: its {@code syncOwner}
     * @param runtimes what the engine offers the caller, or null where the engine is not asked (listings)
     */
    private EngineView view(Engine e, Map<UUID, Long> counts, Map<UUID, String> owners,
                            List<PrivilegedRuntimes.Choice> runtimes, SyncProgress sync) {
        List<String> capabilities;
        try {
            capabilities = clients.capabilities(e.id()).stream().sorted()
                    .map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
        } catch (RuntimeException cannotConnect) {
            capabilities = List.of();
        }
        return new EngineView(e.id(), e.name(), e.kind(), e.endpoint(), e.labels(), e.options(), e.status(),
                e.message(), e.lastSyncAt(), counts.getOrDefault(e.id(), 0L), capabilities, owners.get(e.id()), runtimes,
                sync);
    }
}
