package io.gantry.engine;

import io.gantry.spi.EngineAdapter;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineInfo;
import io.gantry.spi.InvalidSpecException;
import io.gantry.web.BadRequestException;
import io.gantry.web.ConflictException;
import io.gantry.web.FieldProblem;
import io.gantry.web.NotFoundException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

/** Registers, changes and forgets engines; the adapter validates a registration before it is stored. */
@Service
class EngineService {
    private static final Logger log = LoggerFactory.getLogger(EngineService.class);

    private final EngineStore store;
    private final EngineAdapters adapters;
    private final EndpointPolicy endpoints;
    private final ApplicationEventPublisher events;

    EngineService(EngineStore store, EngineAdapters adapters, EndpointPolicy endpoints, ApplicationEventPublisher events) {
        this.store = store;
        this.adapters = adapters;
        this.endpoints = endpoints;
        this.events = events;
    }

    Engine create(EngineRequest request) {
        validate(null, request);
        Engine engine = new Engine(UUID.randomUUID(), request.name(), request.kind(), request.endpoint(),
                request.labels(), request.options(), EngineStatus.UNKNOWN, "", null, null);
        try {
            store.insert(engine, request.credentials());
        } catch (DuplicateKeyException e) {
            throw new ConflictException("an engine named '" + request.name() + "' already exists");
        }
        log.info("Registered engine {} ({}) at {}", engine.name(), engine.kind(), engine.endpoint());
        events.publishEvent(new EngineSaved(engine.id()));
        return store.find(engine.id()).orElseThrow();
    }

    Engine update(UUID id, EngineRequest request) {
        Engine existing = store.find(id).orElseThrow(() -> new NotFoundException("engine", id));
        validate(id, request);
        Engine changed = new Engine(id, request.name(), request.kind(), request.endpoint(), request.labels(),
                request.options(), existing.status(), existing.message(), existing.lastSyncAt(), existing.createdAt());
        try {
            store.update(changed, request.credentials());
        } catch (DuplicateKeyException e) {
            throw new ConflictException("an engine named '" + request.name() + "' already exists");
        }
        log.info("Changed engine {} ({}) at {}", changed.name(), changed.kind(), changed.endpoint());
        events.publishEvent(new EngineSaved(id));
        return store.find(id).orElseThrow();
    }

    /** Creates or replaces the engine of that name: for engines declared in configuration or started embedded. */
    Engine upsertByName(EngineRequest request) {
        Optional<Engine> existing = store.findByName(request.name());
        return existing.isPresent() ? update(existing.get().id(), request) : create(request);
    }

    void delete(UUID id) {
        Engine engine = store.find(id).orElseThrow(() -> new NotFoundException("engine", id));
        store.delete(id);
        log.info("Unregistered engine {}; its workloads are forgotten, nothing on the engine was touched", engine.name());
        events.publishEvent(new EngineRemoved(id));
    }

    private static boolean hasUserInfo(String endpoint) {
        try {
            return endpoint != null && new URI(endpoint).getRawUserInfo() != null;
        } catch (URISyntaxException notAUri) {
            return endpoint.contains("@");
        }
    }

    /**
     * Stored credentials were given for where the engine was: a change of kind, endpoint or of any
     * destination its adapter derives (a Mesos master option, a kubeconfig context) must bring them
     * again, or whoever may edit an engine could send them to a host of their choosing.
     */
    private static BadRequestException credentialsAgain() {
        return BadRequestException.field("credentials", "are required again when the kind, the endpoint or "
                + "a destination set by the options changes: stored credentials are never sent to a new place");
    }

    /** Where the engine as stored sends its requests; {@code null} when that registration is no longer valid. */
    private static List<URI> destinations(EngineAdapter adapter, Engine stored, Map<String, String> credentials,
                                          Duration timeout) {
        try {
            return adapter.destinations(new EngineConnection(stored.id(), stored.name(), stored.endpoint(),
                    stored.labels(), credentials, stored.options(), timeout));
        } catch (InvalidSpecException e) {
            return null;
        }
    }

    /** The answer of a connection test: reached or not, the engine's version, and why not. */
    record ConnectionTest(boolean ok, String version, String message) {
    }

    /**
     * Connects with a registration that is not stored and pings the engine once, within the call
     * timeout: the engines page tests a connection before saving it. Invalid input is a 400 as for
     * a registration; an engine that does not answer is {@code ok=false} with its words.
     */
    ConnectionTest test(EngineRequest request) {
        EngineConnection connection = validate(null, request);
        EngineAdapter adapter = adapters.forKind(request.kind(), "kind");
        ExecutorService thread = Executors.newSingleThreadExecutor();
        Future<EngineInfo> ping = thread.submit(() -> {
            try (EngineClient client = adapter.connect(connection)) {
                return client.ping();
            }
        });
        try {
            EngineInfo info = ping.get(connection.callTimeout().toMillis() + 250, TimeUnit.MILLISECONDS);
            return new ConnectionTest(!info.degraded(), info.version(), info.message());
        } catch (TimeoutException e) {
            return new ConnectionTest(false, null, "no answer within " + connection.callTimeout().toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return new ConnectionTest(false, null, cause.getMessage() == null ? cause.toString() : cause.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ConnectionTest(false, null, "interrupted");
        } finally {
            thread.shutdownNow();
        }
    }

    private EngineConnection validate(UUID id, EngineRequest request) {
        var adapter = adapters.forKind(request.kind(), "kind");
        if (hasUserInfo(request.endpoint())) {
            // an endpoint is shown and logged; a password in it would leak (Rancher's lesson)
            throw BadRequestException.field("endpoint", "must not contain a user or password; put them in credentials");
        }
        Duration timeout;
        try {
            timeout = EngineClients.timeout(request.options() == null ? Map.of() : request.options(), null);
        } catch (IllegalArgumentException e) {
            throw BadRequestException.field("options." + EngineClients.TIMEOUT_OPTION, "is not a duration such as 30s or 500ms");
        }
        Map<String, String> credentials = request.credentials();
        Engine kept = null;
        if (credentials == null && id != null) {
            kept = store.find(id).orElseThrow(() -> new NotFoundException("engine", id));
            if (!kept.kind().equals(request.kind()) || !kept.endpoint().equals(request.endpoint())) {
                throw credentialsAgain();
            }
            credentials = store.credentials(id);
        }
        EngineConnection connection = new EngineConnection(id, request.name(), request.endpoint(), request.labels(),
                credentials, request.options(), timeout);
        try {
            adapter.validate(connection);
            List<URI> destinations = adapter.destinations(connection);
            if (kept != null && !destinations.equals(destinations(adapter, kept, credentials, timeout))) {
                throw credentialsAgain();
            }
            endpoints.refusal(destinations).ifPresent(why -> {
                throw BadRequestException.field("endpoint", "resolves to a denied address: " + why);
            });
        } catch (InvalidSpecException e) {
            throw new BadRequestException(e.errors().isEmpty()
                    ? List.of(new FieldProblem("endpoint", e.getMessage()))
                    : e.errors().stream().map(f -> new FieldProblem(f.field(), f.message())).toList());
        }
        return connection;
    }
}
