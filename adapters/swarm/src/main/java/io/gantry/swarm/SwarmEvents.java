package io.gantry.swarm;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineException;
import io.gantry.spi.WatchListener;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.json.Json;
import io.gantry.spi.watch.Backoff;
import io.gantry.spi.watch.Deliveries;
import io.gantry.spi.watch.EventSource;
import io.gantry.spi.watch.EventStream;
import io.gantry.spi.watch.EventWatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Docker's {@code GET /events} (service, node and container events) for {@link EventWatch}, turned into re-reads
 * of the services concerned. Swarm has no task events, so task progress is learned from the container events of
 * this node plus short follow-up re-reads (tasks appear some milliseconds after their service event).
 * {@link #watch} makes every connect, the first included, ask for a full resync: a change made before the stream
 * was open is only in a full list, and dockerd keeps no event history across its restarts. A liveness ping
 * drops a stream whose peer vanished without closing it, and sends the resync a failed re-read left owing.
 */
final class SwarmEvents implements EventSource<JsonNode> {
    private static final Logger LOG = LoggerFactory.getLogger(SwarmEvents.class);
    static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final Duration LIVENESS_INTERVAL = Duration.ofSeconds(5);
    private static final List<Duration> FOLLOW_UPS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(4));
    private static final Set<String> CONTAINER_ACTIONS = Set.of("start", "die", "oom", "kill");
    static final String SERVICE_ID_LABEL = "com.docker.swarm.service.id";

    private final DockerApi api;
    private final Function<String, Optional<Workload>> readService;
    private final Supplier<List<Workload>> readAll;

    private SwarmEvents(DockerApi api, Function<String, Optional<Workload>> readService, Supplier<List<Workload>> readAll) {
        this.api = api;
        this.readService = readService;
        this.readAll = readAll;
    }

    /**
     * A watch of the engine's events, to be started. Its start does not wait for the stream: the resync that
     * follows its first connect covers whatever changed before.
     *
     * @param readService re-reads one service, empty when it is gone
     * @param readAll     re-reads every service
     * @param onClose     told once when the watch is closed
     */
    static EventWatch<JsonNode> watch(String engineName, DockerApi api, WatchListener listener,
                                      Function<String, Optional<Workload>> readService, Supplier<List<Workload>> readAll,
                                      Consumer<? super EventWatch<JsonNode>> onClose) {
        EventWatch.Settings settings = new EventWatch.Settings("gantry-swarm-events", engineName,
                "the Docker event stream", Duration.ZERO, LIVENESS_INTERVAL);
        return new EventWatch<>(settings, new Backoff(MIN_BACKOFF, MAX_BACKOFF),
                new SwarmEvents(api, readService, readAll), listener, onClose);
    }

    /** The events query: only what can change a workload. */
    static String eventsPath() {
        ObjectNode filters = Json.MAPPER.createObjectNode();
        filters.putArray("type").add("service").add("node").add("container");
        return "/events?" + DockerApi.query("filters", filters);
    }

    @Override
    public EventStream<JsonNode> open() throws IOException {
        DockerApi.Stream stream = api.openStream(eventsPath(), null);
        try {
            return new Lines(stream, new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    /** One JSON event per line. */
    private record Lines(DockerApi.Stream stream, BufferedReader lines) implements EventStream<JsonNode> {
        @Override
        public JsonNode next() throws IOException {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    return Json.MAPPER.readTree(line);
                } catch (JacksonException e) {
                    LOG.debug("ignoring an event that is not JSON: {}", line);
                }
            }
            return null;
        }

        @Override
        public void close() {
            stream.close();
        }
    }

    /** What one event means for the workloads: see {@link EventAction}. */
    @Override
    public void decode(JsonNode event, Deliveries out) {
        EventAction action = EventAction.of(event);
        switch (action.kind()) {
            case REMOVED -> out.send(new EngineChange.WorkloadRemoved(action.serviceId()));
            case CHANGED -> {
                reread(action.serviceId(), out);
                for (Duration delay : FOLLOW_UPS) {
                    out.later(delay, () -> reread(action.serviceId(), out));
                }
            }
            case NODES_CHANGED -> out.later(Duration.ZERO, () -> rereadDaemons(out));
            case IGNORED -> {
            }
            default -> throw new IllegalStateException("unknown event action " + action.kind());
        }
    }

    /** A failed re-read is owed, not asked for at once: see {@link Deliveries#owe}. */
    @Override
    public String check(Duration silentFor) {
        try {
            api.ping();
            return null;
        } catch (EngineException e) {
            return "the Docker daemon does not answer pings (" + e.getMessage() + ")";
        }
    }

    @Override
    public String unreachable(Exception failure) {
        return "the Docker daemon does not answer (" + failure.getMessage() + ")";
    }

    /** The decision for one {@code /events} message, kept apart so it can be checked against captured events. */
    record EventAction(Kind kind, String serviceId) {
        enum Kind { CHANGED, REMOVED, NODES_CHANGED, IGNORED }

        static EventAction of(JsonNode event) {
            String type = Json.text(event, "Type", "");
            String action = Json.text(event, "Action", "");
            JsonNode actor = event.path("Actor");
            return switch (type) {
                case "service" -> "remove".equals(action)
                        ? new EventAction(Kind.REMOVED, Json.text(actor, "ID"))
                        : new EventAction(Kind.CHANGED, Json.text(actor, "ID"));
                case "container" -> {
                    String serviceId = Json.text(actor.path("Attributes"), SERVICE_ID_LABEL);
                    boolean relevant = CONTAINER_ACTIONS.contains(action) || action.startsWith("health_status");
                    yield serviceId != null && relevant ? new EventAction(Kind.CHANGED, serviceId)
                            : new EventAction(Kind.IGNORED, null);
                }
                case "node" -> new EventAction(Kind.NODES_CHANGED, null);
                default -> new EventAction(Kind.IGNORED, null);
            };
        }
    }

    private void reread(String serviceId, Deliveries out) {
        if (serviceId == null) {
            return;
        }
        out.reread(serviceId, () -> {
            try {
                Optional<Workload> workload = readService.apply(serviceId);
                out.send(workload.<EngineChange>map(EngineChange.WorkloadChanged::new)
                        .orElseGet(() -> new EngineChange.WorkloadRemoved(serviceId)));
            } catch (EngineException e) {
                out.owe("could not re-read service " + serviceId + " after its event: " + e.getMessage());
            }
        });
    }

    /** A node joined, left or changed: global services follow the nodes. */
    private void rereadDaemons(Deliveries out) {
        try {
            for (Workload workload : readAll.get()) {
                if (workload.kind() == WorkloadKind.DAEMON) {
                    out.send(new EngineChange.WorkloadChanged(workload));
                }
            }
        } catch (EngineException e) {
            out.owe("could not re-read global services after a node event: " + e.getMessage());
        }
    }
}
