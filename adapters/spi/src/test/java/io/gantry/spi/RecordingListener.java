package io.gantry.spi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A {@link WatchListener} that records what a watch delivered, with the waits the watch tests need. The lists
 * are safe to read while the watch delivers; waits poll them until a bound meant for a busy machine.
 */
public final class RecordingListener implements WatchListener {
    /** The bound of the waits that name none: generous, since delivery time is not a test's figure. */
    public static final Duration WAIT = Duration.ofSeconds(20);

    private final List<EngineChange> changes = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    @Override
    public void onChange(EngineChange change) {
        changes.add(change);
    }

    @Override
    public void onFailure(Throwable cause) {
        failures.add(cause);
    }

    /** Every change so far, oldest first; a live view. */
    public List<EngineChange> changes() {
        return changes;
    }

    /** Every {@code onFailure} cause so far; a live view. */
    public List<Throwable> failures() {
        return failures;
    }

    /** The changes of one type so far, oldest first. */
    public <T extends EngineChange> List<T> changes(Class<T> type) {
        return changes.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public List<EngineChange.ResyncRequired> resyncs() {
        return changes(EngineChange.ResyncRequired.class);
    }

    /** Waits for a change of {@code type} that matches, within {@link #WAIT}; returns the first one. */
    public <T extends EngineChange> T await(String what, Class<T> type, Predicate<? super T> match) {
        return await(what, WAIT, type, match);
    }

    public <T extends EngineChange> T await(String what, Duration within, Class<T> type, Predicate<? super T> match) {
        return poll(what, within, () -> changes(type).stream().filter(match).findFirst());
    }

    /** Waits for a {@link EngineChange.WorkloadChanged} of the workload {@code nativeId} that matches. */
    public EngineChange.WorkloadChanged awaitChanged(String nativeId, Duration within, Predicate<Workload> match) {
        return await(nativeId + " changed", within, EngineChange.WorkloadChanged.class,
                c -> c.workload().nativeId().equals(nativeId) && match.test(c.workload()));
    }

    public EngineChange.WorkloadRemoved awaitRemoved(String nativeId, Duration within) {
        return await(nativeId + " removed", within, EngineChange.WorkloadRemoved.class,
                r -> r.nativeId().equals(nativeId));
    }

    /** Waits for a resync whose reason contains {@code words}. */
    public EngineChange.ResyncRequired awaitResync(String words, Duration within) {
        return await("a resync naming '" + words + "' in " + changes, within, EngineChange.ResyncRequired.class,
                r -> r.reason().contains(words));
    }

    /** Waits until {@code condition} holds, polling every 20 ms; fails naming {@code what} after {@code within}. */
    public static void await(String what, Duration within, BooleanSupplier condition) {
        poll(what, within, () -> condition.getAsBoolean() ? Optional.of(true) : Optional.empty());
    }

    /** Waits until {@code probe} finds something, polling every 20 ms; returns it. */
    public static <T> T poll(String what, Duration within, java.util.function.Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            Optional<T> found = probe.get();
            if (found.isPresent()) {
                return found.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not " + what + " within " + within.toSeconds() + " s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }
}
