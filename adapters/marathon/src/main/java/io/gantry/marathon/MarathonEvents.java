package io.gantry.marathon;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.EngineException;
import io.gantry.spi.EngineForbiddenException;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.WatchListener;
import io.gantry.spi.Workload;
import io.gantry.spi.watch.Backoff;
import io.gantry.spi.watch.Deliveries;
import io.gantry.spi.watch.EventSource;
import io.gantry.spi.watch.EventStream;
import io.gantry.spi.watch.EventWatch;

/**
 * Marathon's event bus ({@code GET /v2/events}, Server-Sent Events) for {@link EventWatch}. Marathon's docs advise
 * using events as cache invalidation only (they are unordered), so each event about an app or pod makes the
 * watch re-read it and send its full state ({@link EngineChange.WorkloadChanged}, or
 * {@link EngineChange.WorkloadRemoved} once Marathon no longer knows it), plus an
 * {@link EngineChange.EventObserved} for what an operator wants to see.
 *
 * <p>The stream drops when the leader changes, when Marathon (1.8+) cuts a slow consumer, or on network
 * trouble; the watch re-opens it and the resync names the new leader when it changed. Refused credentials end
 * the watch. While Marathon cannot be reached (refused, or 503 from every URL) the watch asks for one resync
 * at once per outage. Marathon sends no heartbeats: a stream silent for the idle check has the leader checked,
 * so that a half-open connection or a deposed leader is noticed.
 *
 * <p>{@link #watch}'s start returns once the stream is open (at most half the call timeout), so that a change
 * made after the receiver subscribed is delivered: the receiver lists right after subscribing.
 */
final class MarathonEvents implements EventSource<SseReader.Frame> {
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
    private final Duration idleCheck;
    /** The leader the last stream was opened on; read and written by the watch's reader thread only. */
    private String leader;
    /** The same, for the idle check's thread. */
    private volatile String streamLeader;

    private MarathonEvents(MarathonEngineClient client, Duration idleCheck) {
        this.client = client;
        this.idleCheck = idleCheck;
    }

    /**
     * A watch of the engine's events, to be started.
     *
     * @param idleCheck how long the stream may stay silent before the leader is checked
     */
    static EventWatch<SseReader.Frame> watch(MarathonEngineClient client, MarathonSettings settings,
                                             WatchListener listener, Duration idleCheck) {
        // half the call timeout: the caller bounds watch() by the call timeout as a whole
        EventWatch.Settings watch = new EventWatch.Settings("marathon-events", settings.engineName(),
                "Marathon event stream", settings.callTimeout().dividedBy(2), idleCheck);
        return new EventWatch<>(watch, new Backoff(FIRST_BACKOFF, MAX_BACKOFF), new MarathonEvents(client, idleCheck),
                listener, client::forget);
    }

    @Override
    public EventStream<SseReader.Frame> open() throws IOException {
        String leaderNow = currentLeader();
        HttpResponse<InputStream> response = client.http().openStream(PATH, "text/event-stream");
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            response.body().close();
            throw new EngineForbiddenException("Marathon refused the event stream (HTTP " + response.statusCode() + ")");
        }
        if (response.statusCode() != 200) {
            response.body().close();
            throw new EngineUnavailableException("Marathon answered HTTP " + response.statusCode()
                    + " for the event stream");
        }
        String previous = leader;
        leader = leaderNow != null ? leaderNow : leader;
        streamLeader = leader;
        String changed = previous != null && leaderNow != null && !previous.equals(leaderNow)
                ? "Marathon leader changed from " + previous + " to " + leaderNow : null;
        return new Frames(response.body(), new SseReader(response.body()), changed);
    }

    private record Frames(InputStream body, SseReader frames, String resyncReason)
            implements EventStream<SseReader.Frame> {
        @Override
        public SseReader.Frame next() throws IOException {
            return frames.next();
        }

        @Override
        public void close() {
            try {
                body.close();
            } catch (IOException e) {
                // the stream is being abandoned anyway
            }
        }
    }

    @Override
    public void decode(SseReader.Frame frame, Deliveries out) {
        for (EngineEvent event : MarathonEventReader.observed(frame.type(), frame.data())) {
            client.remember(event);
            out.send(new EngineChange.EventObserved(event));
        }
        for (String id : MarathonEventReader.affectedIds(frame.type(), frame.data())) {
            out.reread(id, () -> reread(id, out));
        }
    }

    private void reread(String id, Deliveries out) {
        Optional<Workload> current;
        try {
            current = client.getWorkload(id);
        } catch (EngineException e) {
            if (out.closed()) {
                // close() interrupted the re-read: nothing is delivered after close
                return;
            }
            // the change is known to have happened but not what it became: only a full sync can tell
            out.send(new EngineChange.ResyncRequired("could not re-read " + id + " after a Marathon event: "
                    + e.getMessage()));
            return;
        }
        out.send(current.<EngineChange>map(EngineChange.WorkloadChanged::new)
                .orElseGet(() -> new EngineChange.WorkloadRemoved(id)));
    }

    /** A silent stream is re-opened when Marathon does not answer or another leader took over. */
    @Override
    public String check(Duration silentFor) {
        if (silentFor.compareTo(idleCheck) < 0) {
            return null;
        }
        try {
            String leaderNow = currentLeader();
            String opened = streamLeader;
            return opened != null && leaderNow != null && !opened.equals(leaderNow)
                    ? "Marathon leader changed from " + opened + " to " + leaderNow : null;
        } catch (EngineException e) {
            return "Marathon stopped answering while the event stream was silent (" + e.getMessage() + ")";
        }
    }

    @Override
    public String unreachable(Exception failure) {
        return failure instanceof EngineUnavailableException ? "Marathon unreachable: " + failure.getMessage() : null;
    }

    private String currentLeader() {
        return MarathonClusterReader.leader(
                MarathonAnswers.expectOk(client.http().get("/v2/info"), "Marathon info", null));
    }
}
