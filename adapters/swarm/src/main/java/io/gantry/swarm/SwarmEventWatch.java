package io.gantry.swarm;

import io.gantry.spi.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineException;
import io.gantry.spi.Subscription;
import io.gantry.spi.WatchListener;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Follows {@code GET /events} (service, node and container events) and turns them into re-reads of the
 * services concerned. Swarm has no task events, so task progress is learned from the container events of
 * this node plus short follow-up re-reads (tasks appear some milliseconds after their service event).
 * Every connect of the stream, the first included, is followed by a request for a full resync: a change made
 * before the stream was open (between the receiver's list and this watch, or during a gap) is only in a full
 * list, and dockerd keeps no event history across its restarts. When the stream breaks it reconnects with
 * back-off; when the daemon does not answer a reconnect, it asks for a resync at once (once per outage), so
 * that the receiver learns the engine is down now rather than at its next periodic resync. A liveness ping
 * aborts a stream whose peer vanished without closing it, and asks for the resync a failed re-read left owing.
 * Every listener call comes from one delivery thread, in order.
 */
final class SwarmEventWatch implements Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(SwarmEventWatch.class);
    static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final Duration LIVENESS_INTERVAL = Duration.ofSeconds(5);
    private static final long[] FOLLOW_UP_MILLIS = {1000, 4000};
    private static final Set<String> CONTAINER_ACTIONS = Set.of("start", "die", "oom", "kill");
    static final String SERVICE_ID_LABEL = "com.docker.swarm.service.id";

    private final DockerApi api;
    private final Consumer<SwarmEventWatch> onClose;
    private final WatchListener listener;
    private final Function<String, Optional<Workload>> readService;
    private final Supplier<List<Workload>> readAll;
    private final ScheduledExecutorService delivery;
    private final ScheduledExecutorService liveness;
    private final Thread reader;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private volatile DockerApi.Stream current;
    private volatile boolean closed;
    /** Why a resync is owed: a re-read failed, so a change may have been missed (see {@link #refreshSoon}). */
    private final AtomicReference<String> resyncOwed = new AtomicReference<>();

    /**
     * @param readService re-reads one service, empty when it is gone
     * @param readAll     re-reads every service
     * @param onClose     told once when this watch is closed
     */
    SwarmEventWatch(String engineName, DockerApi api, WatchListener listener,
                    Function<String, Optional<Workload>> readService, Supplier<List<Workload>> readAll,
                    Consumer<SwarmEventWatch> onClose) {
        this.onClose = onClose;
        this.api = api;
        this.listener = listener;
        this.readService = readService;
        this.readAll = readAll;
        this.delivery = Executors.newSingleThreadScheduledExecutor(daemon("gantry-swarm-watch-" + engineName));
        this.liveness = Executors.newSingleThreadScheduledExecutor(daemon("gantry-swarm-liveness-" + engineName));
        this.reader = daemon("gantry-swarm-events-" + engineName).newThread(this::run);
    }

    SwarmEventWatch start() {
        reader.start();
        liveness.scheduleWithFixedDelay(this::checkLiveness, LIVENESS_INTERVAL.toMillis(), LIVENESS_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    /** The events query: only what can change a workload. */
    static String eventsPath() {
        ObjectNode filters = DockerApi.JSON.createObjectNode();
        filters.putArray("type").add("service").add("node").add("container");
        return "/events?" + DockerApi.query("filters", filters);
    }

    /** Whether the event stream is connected now (it is not while it reconnects). */
    boolean connected() {
        return current != null;
    }

    private void run() {
        long backoff = MIN_BACKOFF.toMillis();
        String gap = "the Docker event stream connected; changes made before it are only in a full list";
        boolean unreachableTold = false;
        while (!closed) {
            boolean opened = false;
            try (DockerApi.Stream stream = api.openStream(eventsPath(), null)) {
                opened = true;
                current = stream;
                if (closed) {
                    return;
                }
                String reason = gap;
                resyncOwed.set(null);
                deliver(() -> listener.onChange(new EngineChange.ResyncRequired(reason)));
                backoff = MIN_BACKOFF.toMillis();
                unreachableTold = false;
                readEvents(stream);
                gap = "the Docker event stream ended; reconnected";
            } catch (IOException | RuntimeException e) {
                gap = "the Docker event stream broke (" + e.getMessage() + "); reconnected";
                if (!closed) {
                    LOG.warn("Swarm event stream lost, reconnecting in {} ms: {}", backoff, e.getMessage());
                }
                if (!opened && !unreachableTold && !closed) {
                    unreachableTold = true;
                    String reason = "the Docker daemon does not answer (" + e.getMessage() + ")";
                    deliver(() -> listener.onChange(new EngineChange.ResyncRequired(reason)));
                }
            } finally {
                current = null;
            }
            if (!closed) {
                sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
            }
        }
    }

    private void readEvents(DockerApi.Stream stream) throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
        for (String line; !closed && (line = lines.readLine()) != null; ) {
            if (line.isBlank()) {
                continue;
            }
            try {
                handle(DockerApi.JSON.readTree(line));
            } catch (JacksonException e) {
                LOG.debug("ignoring an event that is not JSON: {}", line);
            }
        }
    }

    /** What one event means for the workloads: see {@link EventAction}. */
    void handle(JsonNode event) {
        EventAction action = EventAction.of(event);
        switch (action.kind()) {
            case REMOVED -> {
                pending.remove(action.serviceId());
                deliver(() -> listener.onChange(new EngineChange.WorkloadRemoved(action.serviceId())));
            }
            case CHANGED -> {
                refreshSoon(action.serviceId());
                for (long delay : FOLLOW_UP_MILLIS) {
                    schedule(() -> refreshSoon(action.serviceId()), delay);
                }
            }
            case NODES_CHANGED -> deliver(this::refreshDaemons);
            case IGNORED -> {
            }
            default -> throw new IllegalStateException("unknown event action " + action.kind());
        }
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

    private void refreshSoon(String serviceId) {
        if (serviceId != null && pending.add(serviceId)) {
            deliver(() -> {
                pending.remove(serviceId);
                try {
                    Optional<Workload> workload = readService.apply(serviceId);
                    listener.onChange(workload.<EngineChange>map(EngineChange.WorkloadChanged::new)
                            .orElseGet(() -> new EngineChange.WorkloadRemoved(serviceId)));
                } catch (EngineException e) {
                    owe("could not re-read service " + serviceId + " after its event: " + e.getMessage());
                }
            });
        }
    }

    /** A node joined, left or changed: global services follow the nodes. */
    private void refreshDaemons() {
        try {
            for (Workload workload : readAll.get()) {
                if (workload.kind() == WorkloadKind.DAEMON) {
                    listener.onChange(new EngineChange.WorkloadChanged(workload));
                }
            }
        } catch (EngineException e) {
            owe("could not re-read global services after a node event: " + e.getMessage());
        }
    }

    /**
     * A re-read failed, mostly because the daemon is going away. The resync is asked for once the daemon
     * answers again: by the reconnect if the stream broke, else by the next liveness ping. Asking at once
     * would send the receiver into a full sync against a daemon that does not answer.
     */
    private void owe(String reason) {
        resyncOwed.compareAndSet(null, reason);
    }

    private void checkLiveness() {
        DockerApi.Stream stream = current;
        if (stream == null || closed) {
            return;
        }
        try {
            api.ping();
            String owed = resyncOwed.getAndSet(null);
            if (owed != null) {
                deliver(() -> listener.onChange(new EngineChange.ResyncRequired(owed)));
            }
        } catch (EngineException e) {
            LOG.warn("Docker engine does not answer pings, dropping its event stream: {}", e.getMessage());
            stream.close();
        }
    }

    private void deliver(Runnable call) {
        try {
            delivery.execute(() -> {
                if (closed) {
                    return;
                }
                try {
                    call.run();
                } catch (RuntimeException e) {
                    LOG.warn("watch listener failed on a Swarm change", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closed meanwhile: nobody listens any more
        }
    }

    private void schedule(Runnable call, long delayMillis) {
        try {
            delivery.schedule(call, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        DockerApi.Stream stream = current;
        if (stream != null) {
            stream.close();
        }
        onClose.accept(this);
        reader.interrupt();
        liveness.shutdownNow();
        delivery.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
