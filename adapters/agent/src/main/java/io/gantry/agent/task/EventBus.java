package io.gantry.agent.task;

import com.google.protobuf.Timestamp;
import io.gantry.agent.api.v1.Event;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

/** Publishes task and container facts to subscribers and keeps the most recent ones for listing. */
public final class EventBus {
    private static final int KEPT = 2000;

    private final Deque<Event> recent = new ArrayDeque<>();
    private final Set<Consumer<Event>> subscribers = new CopyOnWriteArraySet<>();

    public void publish(String namespace, String topic, String containerId, String taskId, int exitCode, String message) {
        Instant now = Instant.now();
        Event event = Event.newBuilder()
                .setTimestamp(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .setNamespace(namespace).setTopic(topic).setContainerId(containerId)
                .setTaskId(taskId == null ? "" : taskId).setExitCode(exitCode)
                .setMessage(message == null ? "" : message)
                .build();
        synchronized (recent) {
            recent.addFirst(event);
            if (recent.size() > KEPT) {
                recent.removeLast();
            }
        }
        for (Consumer<Event> subscriber : subscribers) {
            subscriber.accept(event);
        }
    }

    /** Delivers every later event to {@code subscriber} until the returned handle runs. */
    public Runnable subscribe(Consumer<Event> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    /** Newest first; {@code namespace} or {@code containerId} null or empty match all. */
    public List<Event> recent(String namespace, String containerId, int limit) {
        List<Event> out = new ArrayList<>();
        synchronized (recent) {
            for (Iterator<Event> it = recent.iterator(); it.hasNext() && out.size() < limit; ) {
                Event e = it.next();
                if ((namespace == null || namespace.isEmpty() || namespace.equals(e.getNamespace()))
                        && (containerId == null || containerId.isEmpty() || containerId.equals(e.getContainerId()))) {
                    out.add(e);
                }
            }
        }
        return out;
    }
}
