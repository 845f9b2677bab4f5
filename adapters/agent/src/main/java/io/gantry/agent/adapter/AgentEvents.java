package io.gantry.agent.adapter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.gantry.agent.api.v1.Event;
import io.gantry.agent.api.v1.SubscribeRequest;
import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineException;
import io.gantry.spi.WatchListener;
import io.gantry.spi.Workload;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The agent's event stream as {@link EngineChange}s: each task or container event becomes the
 * workload's fresh state (or its removal), task exits also an {@link EngineChange.EventObserved}.
 * A broken stream is re-subscribed with back-off, followed by {@link EngineChange.ResyncRequired}
 * because events may have been missed meanwhile.
 */
final class AgentWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentWatch.class);
    private static final long FIRST_BACKOFF_MILLIS = 200;
    private static final long MAX_BACKOFF_MILLIS = 10_000;

    /** Reads a workload's current state; empty when it is gone. */
    interface WorkloadReader {
        Optional<Workload> read(String namespace, String containerId);
    }

    private final AgentStubs stubs;
    private final WorkloadReader reader;
    private final WatchListener listener;
    private final String engine;
    /** One thread: the listener sees changes in the order the agent sent them. */
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> daemon(r, "agent-watch"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "agent-watch-retry"));
    private volatile ClientCallStreamObserver<SubscribeRequest> call;
    private volatile boolean closed;
    private long backoff = FIRST_BACKOFF_MILLIS;
    private boolean everSubscribed;
    private final CountDownLatch subscribed = new CountDownLatch(1);

    AgentWatch(AgentStubs stubs, WorkloadReader reader, WatchListener listener, String engine) {
        this.stubs = stubs;
        this.reader = reader;
        this.listener = listener;
        this.engine = engine;
    }

    /** Subscribes; returns once the agent confirmed the subscription (or the timeout passed, retrying behind). */
    void start() {
        subscribe();
        try {
            subscribed.await(stubs.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void subscribe() {
        if (closed) {
            return;
        }
        stubs.eventsStreaming().subscribe(SubscribeRequest.getDefaultInstance(),
                new ClientResponseObserver<SubscribeRequest, Event>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<SubscribeRequest> c) {
                        call = c;
                    }

                    @Override
                    public void onNext(Event event) {
                        if ("/subscribed".equals(event.getTopic())) {
                            // handled at once, not queued: start() waits for it
                            handle(event);
                            return;
                        }
                        try {
                            delivery.execute(() -> handle(event));
                        } catch (RejectedExecutionException closedMeanwhile) {
                            // the watch was closed: nobody waits for this event
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        retry(t.getMessage());
                    }

                    @Override
                    public void onCompleted() {
                        retry("the agent ended the event stream");
                    }
                });
    }

    private void handle(Event event) {
        if (closed) {
            return;
        }
        if ("/subscribed".equals(event.getTopic())) {
            synchronized (this) {
                backoff = FIRST_BACKOFF_MILLIS;
                if (everSubscribed) {
                    listener.onChange(new EngineChange.ResyncRequired("agent event stream of engine '" + engine
                            + "' reconnected after a gap"));
                }
                everSubscribed = true;
            }
            subscribed.countDown();
            return;
        }
        if (event.getContainerId().isEmpty()) {
            return;
        }
        String nativeId = AgentWorkloadMapper.nativeId(event.getNamespace(), event.getContainerId());
        if (event.getTopic().equals("/tasks/exit") || event.getTopic().equals("/tasks/oom")) {
            listener.onChange(new EngineChange.EventObserved(AgentWorkloadMapper.toEvent(event)));
        }
        if (event.getTopic().equals("/containers/delete")) {
            listener.onChange(new EngineChange.WorkloadRemoved(nativeId));
            return;
        }
        try {
            reader.read(event.getNamespace(), event.getContainerId()).ifPresentOrElse(
                    w -> listener.onChange(new EngineChange.WorkloadChanged(w)),
                    () -> listener.onChange(new EngineChange.WorkloadRemoved(nativeId)));
        } catch (EngineException e) {
            // the agent went away between the event and the read: the reconnect's resync covers it
            LOG.debug("cannot read {} after an event: {}", nativeId, e.getMessage());
        }
    }

    private synchronized void retry(String why) {
        if (closed) {
            return;
        }
        long delay = backoff;
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
        LOG.warn("agent event stream of engine '{}' broke ({}); reconnecting in {} ms",
                engine, why, delay);
        timer.schedule(this::subscribe, delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        closed = true;
        ClientCallStreamObserver<SubscribeRequest> c = call;
        if (c != null) {
            c.cancel("watch closed", null);
        }
        timer.shutdownNow();
        delivery.shutdownNow();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
