package io.gantry.agent.adapter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.gantry.agent.api.v1.Event;
import io.gantry.agent.api.v1.SubscribeRequest;
import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineException;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.WatchListener;
import io.gantry.spi.Workload;
import io.gantry.spi.watch.Backoff;
import io.gantry.spi.watch.Deliveries;
import io.gantry.spi.watch.EventSource;
import io.gantry.spi.watch.EventStream;
import io.gantry.spi.watch.EventWatch;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The agent's {@code Events.Subscribe} stream for {@link EventWatch}: each task or container event becomes the
 * workload's fresh state (or its removal), task exits also an {@link EngineChange.EventObserved}. The stream
 * counts as open once the agent confirmed the subscription ({@code /subscribed}): from then on no event is
 * missed, so the watch's start waits for it (at most the call timeout).
 */
final class AgentEvents implements EventSource<Event> {
    private static final Logger LOG = LoggerFactory.getLogger(AgentEvents.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final String SUBSCRIBED = "/subscribed";

    /** Reads a workload's current state; empty when it is gone. */
    interface WorkloadReader {
        Optional<Workload> read(String namespace, String containerId);
    }

    private final AgentStubs stubs;
    private final WorkloadReader reader;
    private final String engine;

    private AgentEvents(AgentStubs stubs, WorkloadReader reader, String engine) {
        this.stubs = stubs;
        this.reader = reader;
        this.engine = engine;
    }

    /** A watch of the agent's events, to be started. */
    static EventWatch<Event> watch(AgentStubs stubs, WorkloadReader reader, WatchListener listener, String engine,
                                   Consumer<? super EventWatch<Event>> onClose) {
        EventWatch.Settings settings = new EventWatch.Settings("gantry-agent-events", engine,
                "agent event stream of engine '" + engine + "'", stubs.timeout(), null);
        return new EventWatch<>(settings, new Backoff(FIRST_BACKOFF, MAX_BACKOFF), new AgentEvents(stubs, reader, engine),
                listener, onClose);
    }

    @Override
    public EventStream<Event> open() {
        // the call lives until cancelled: closing the stream cancels its context, which ends a blocked read
        Context.CancellableContext call = Context.current().withCancellation();
        try {
            Iterator<Event> events = call.wrap(() -> stubs.eventsBlocking().subscribe(SubscribeRequest.getDefaultInstance()))
                    .call();
            if (!events.hasNext()) {
                throw new EngineUnavailableException("agent engine '" + engine + "' ended the event stream at once");
            }
            Event first = events.next();
            return new Events(call, events, SUBSCRIBED.equals(first.getTopic()) ? null : first);
        } catch (StatusRuntimeException e) {
            call.cancel(e);
            throw AgentErrors.map(e, engine, null);
        } catch (RuntimeException e) {
            call.cancel(e);
            throw e;
        } catch (Exception e) {
            call.cancel(e);
            throw new IllegalStateException(e);
        }
    }

    /** @param pending the first event when it was not the confirmation, to be read first */
    private final class Events implements EventStream<Event> {
        private final Context.CancellableContext call;
        private final Iterator<Event> events;
        private Event pending;

        Events(Context.CancellableContext call, Iterator<Event> events, Event pending) {
            this.call = call;
            this.events = events;
            this.pending = pending;
        }

        @Override
        public Event next() {
            if (pending != null) {
                Event first = pending;
                pending = null;
                return first;
            }
            try {
                return events.hasNext() ? events.next() : null;
            } catch (StatusRuntimeException e) {
                throw AgentErrors.map(e, engine, null);
            }
        }

        @Override
        public void close() {
            call.cancel(null);
        }
    }

    @Override
    public void decode(Event event, Deliveries out) {
        if (event.getContainerId().isEmpty()) {
            return;
        }
        String nativeId = AgentWorkloadMapper.nativeId(event.getNamespace(), event.getContainerId());
        if (event.getTopic().equals("/tasks/exit") || event.getTopic().equals("/tasks/oom")) {
            out.send(new EngineChange.EventObserved(AgentWorkloadMapper.toEvent(event)));
        }
        if (event.getTopic().equals("/containers/delete")) {
            out.send(new EngineChange.WorkloadRemoved(nativeId));
            return;
        }
        out.reread(nativeId, () -> {
            try {
                out.send(reader.read(event.getNamespace(), event.getContainerId())
                        .<EngineChange>map(EngineChange.WorkloadChanged::new)
                        .orElseGet(() -> new EngineChange.WorkloadRemoved(nativeId)));
            } catch (EngineException e) {
                // the agent went away between the event and the read: the reconnect's resync covers it
                LOG.debug("cannot read {} after an event: {}", nativeId, e.getMessage());
            }
        });
    }

    @Override
    public String unreachable(Exception failure) {
        return "agent engine '" + engine + "' does not answer (" + failure.getMessage() + ")";
    }
}
