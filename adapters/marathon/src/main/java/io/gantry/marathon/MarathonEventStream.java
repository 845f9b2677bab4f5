package io.gantry.marathon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.EngineException;
import io.gantry.spi.EngineForbiddenException;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.Subscription;
import io.gantry.spi.WatchListener;
import io.gantry.spi.Workload;
import tools.jackson.databind.JsonNode;

/**
 * The watch: Marathon's event bus ({@code GET /v2/events}, Server-Sent Events). Marathon's docs advise
 * using events as cache invalidation only (they are unordered), so each event about an app or pod makes
 * this re-read it and send its full state ({@link EngineChange.WorkloadChanged}, or
 * {@link EngineChange.WorkloadRemoved} once Marathon no longer knows it), plus an
 * {@link EngineChange.EventObserved} for what an operator wants to see.
 *
 * <p>The stream drops when the leader changes, when Marathon (1.8+) cuts a slow consumer, or on network
 * trouble. It is re-opened with exponential back-off, then {@link EngineChange.ResyncRequired} tells the
 * receiver what may have been missed (naming the new leader when it changed). Only refused credentials end
 * the watch ({@link WatchListener#onFailure}). While Marathon cannot be reached (refused, or 503 from every
 * URL), {@code ResyncRequired} is sent at once, once per outage: the receiver's resync then finds the engine
 * down within seconds instead of at its next periodic resync.
 *
 * <p>{@link #start} returns once the stream is open, so that a change made after the receiver subscribed is
 * delivered (the receiver lists right after subscribing). If the first attempt fails, or opening takes longer
 * than half the call timeout, start returns anyway and the stream sends {@code ResyncRequired} when it opens.
 *
 * <p>Threads: one reads the stream; one delivers, so the listener sees changes in order and never from
 * two threads. Re-reads of the same id still waiting are coalesced.
 */
final class MarathonEventStream implements Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(MarathonEventStream.class);
    static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    static final Duration IDLE_CHECK = Duration.ofSeconds(30);
    /** Only what changes workloads; Marathon 1.3.7+ filters server side, older ones send everything. */
    private static final List<String> EVENT_TYPES = List.of("status_update_event", "instance_changed_event",
            "instance_health_changed_event", "health_status_changed_event", "failed_health_check_event",
            "unhealthy_instance_kill_event", "unhealthy_task_kill_event", "add_health_check_event",
            "remove_health_check_event", "api_post_event", "app_terminated_event", "pod_created_event",
            "pod_updated_event", "pod_deleted_event", "deployment_info", "deployment_success", "deployment_failed",
            "deployment_step_success", "deployment_step_failure");
    static final String PATH = "/v2/events?plan-format=light&"
            + String.join("&", EVENT_TYPES.stream().map(t -> "event_type=" + t).toList());

    private final MarathonEngineClient client;
    private final MarathonSettings settings;
    private final WatchListener listener;
    private final Thread reader;
    private final ExecutorService delivery;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService watchdog;
    private final Duration idleCheck;
    private volatile InputStream body;
    private volatile boolean closed;
    private volatile long lastFrameNanos = System.nanoTime();
    private volatile String streamLeader;
    private volatile String recycled;
    private final CountDownLatch firstOpen = new CountDownLatch(1);
    /** {@link #WAITING} until the first stream opened ({@link #OPENED}) or start stopped waiting ({@link #LATE}). */
    private final AtomicInteger opening = new AtomicInteger(WAITING);
    private static final int WAITING = 0;
    private static final int OPENED = 1;
    private static final int LATE = 2;

    /**
     * @param idleCheck how long the stream may stay silent before the leader is checked: Marathon sends
     *                  no heartbeats, so a half-open connection or a deposed leader would otherwise go unnoticed
     */
    MarathonEventStream(MarathonEngineClient client, MarathonSettings settings, WatchListener listener,
                        Duration idleCheck) {
        this.client = client;
        this.settings = settings;
        this.listener = listener;
        this.idleCheck = idleCheck;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "marathon-events-watchdog-" + settings.engineName());
            t.setDaemon(true);
            return t;
        });
        this.reader = new Thread(this::run, "marathon-events-" + settings.engineName());
        this.reader.setDaemon(true);
        this.delivery = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "marathon-events-delivery-" + settings.engineName());
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        reader.start();
        watchdog.scheduleWithFixedDelay(this::checkIdle, idleCheck.toMillis(), idleCheck.toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            // half the call timeout: the caller bounds watch() by the call timeout as a whole
            firstOpen.await(settings.callTimeout().toMillis() / 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (opening.compareAndSet(WAITING, LATE)) {
            LOG.warn("event stream of Marathon engine {} not open yet; a resync will "
                    + "follow when it is", settings.engineName());
        }
    }

    /** A silent stream is re-opened when Marathon does not answer or another leader took over. */
    private void checkIdle() {
        if (closed || body == null || System.nanoTime() - lastFrameNanos < idleCheck.toNanos()) {
            return;
        }
        String why = null;
        try {
            String leaderNow = MarathonClusterReader.leader(
                    MarathonAnswers.expectOk(client.http().get("/v2/info"), "Marathon info", null));
            if (streamLeader != null && leaderNow != null && !streamLeader.equals(leaderNow)) {
                why = "Marathon leader changed from " + streamLeader + " to " + leaderNow;
            }
        } catch (EngineException e) {
            why = "Marathon stopped answering while the event stream was silent (" + e.getMessage() + ")";
        }
        if (why != null && !closed) {
            recycled = why;
            // a read blocked in the JDK's response stream wakes only when closed AND interrupted
            closeBody();
            reader.interrupt();
        }
    }

    private void run() {
        Duration backoff = FIRST_BACKOFF;
        String leader = null;
        String gap = null;
        boolean reportedUnreachable = false;
        while (!closed) {
            try {
                String leaderNow = MarathonClusterReader.leader(
                        MarathonAnswers.expectOk(client.http().get("/v2/info"), "Marathon info", null));
                HttpResponse<InputStream> response = client.http().openStream(PATH, "text/event-stream");
                if (response.statusCode() == 401 || response.statusCode() == 403) {
                    response.body().close();
                    throw new EngineForbiddenException("Marathon refused the event stream (HTTP "
                            + response.statusCode() + ")");
                }
                if (response.statusCode() != 200) {
                    response.body().close();
                    throw new EngineUnavailableException("Marathon answered HTTP " + response.statusCode()
                            + " for the event stream");
                }
                body = response.body();
                lastFrameNanos = System.nanoTime();
                if (!opening.compareAndSet(WAITING, OPENED) && opening.compareAndSet(LATE, OPENED)) {
                    gap = "Marathon event stream opened only after the subscriber had listed";
                }
                firstOpen.countDown();
                reportedUnreachable = false;
                if (leader != null && leaderNow != null && !leader.equals(leaderNow)) {
                    gap = "Marathon leader changed from " + leader + " to " + leaderNow;
                }
                leader = leaderNow != null ? leaderNow : leader;
                streamLeader = leader;
                if (gap != null) {
                    String reason = gap;
                    deliver(() -> listener.onChange(new EngineChange.ResyncRequired(reason)));
                    gap = null;
                }
                backoff = FIRST_BACKOFF;
                SseReader.read(body, this::onFrame);
                gap = "Marathon event stream ended and was re-opened";
            } catch (EngineForbiddenException e) {
                firstOpen.countDown();
                if (!closed) {
                    deliver(() -> listener.onFailure(e));
                }
                // giving up: nothing more comes after onFailure
                watchdog.shutdownNow();
                delivery.shutdown();
                return;
            } catch (EngineException | IOException e) {
                if (closed) {
                    return;
                }
                gap = recycled != null ? recycled
                        : "Marathon event stream was interrupted (" + e.getMessage() + ") and re-opened";
                recycled = null;
                // start() stops waiting: the gap just set makes the open that succeeds later ask for a resync
                firstOpen.countDown();
                if (e instanceof EngineUnavailableException && !reportedUnreachable) {
                    reportedUnreachable = true;
                    String reason = "Marathon unreachable: " + e.getMessage();
                    deliver(() -> listener.onChange(new EngineChange.ResyncRequired(reason)));
                }
                LOG.warn("event stream of Marathon engine {} lost, retrying in {} ms: "
                        + "{}", settings.engineName(), backoff.toMillis(), e.getMessage());
            } finally {
                closeBody();
            }
            if (closed) {
                return;
            }
            // an interrupt that is not a close came from the watchdog: it is handled by reconnecting
            Thread.interrupted();
            try {
                Thread.sleep(backoff.toMillis());
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    private void onFrame(String type, JsonNode data) {
        lastFrameNanos = System.nanoTime();
        for (EngineEvent event : MarathonEventReader.observed(type, data)) {
            client.remember(event);
            deliver(() -> listener.onChange(new EngineChange.EventObserved(event)));
        }
        for (String id : MarathonEventReader.affectedIds(type, data)) {
            if (pending.add(id)) {
                deliver(() -> reread(id));
            }
        }
    }

    private void reread(String id) {
        pending.remove(id);
        Optional<Workload> current;
        try {
            current = client.getWorkload(id);
        } catch (EngineException e) {
            if (closed) {
                // close() interrupted the re-read: nothing is delivered after close
                return;
            }
            // the change is known to have happened but not what it became: only a full sync can tell
            listener.onChange(new EngineChange.ResyncRequired("could not re-read " + id + " after a Marathon event: "
                    + e.getMessage()));
            return;
        }
        if (closed) {
            return;
        }
        listener.onChange(current.<EngineChange>map(EngineChange.WorkloadChanged::new)
                .orElseGet(() -> new EngineChange.WorkloadRemoved(id)));
    }

    private void deliver(Runnable r) {
        if (closed) {
            return;
        }
        try {
            delivery.execute(() -> {
                if (!closed) {
                    r.run();
                }
            });
        } catch (RejectedExecutionException e) {
            // closed meanwhile: nothing more is delivered after close
        }
    }

    private void closeBody() {
        InputStream in = body;
        body = null;
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // the stream is being abandoned anyway
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        watchdog.shutdownNow();
        closeBody();
        reader.interrupt();
        delivery.shutdownNow();
        client.forget(this);
    }
}
