package io.gantry.engine;

import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadSink;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Carries a listing's batches from the engine's thread (the adapter's {@link WorkloadSink}) to the thread that
 * stores them. The queue is small on purpose: a listing may run ahead of the store by two batches, no more, so
 * memory stays bounded by the batch size whatever the engine's size; a listing blocked on a full queue is
 * interrupted when the caller gives up.
 */
final class BatchHandOver implements WorkloadSink {
    /** A batch, the expected count, or the end of the listing ({@code failure} null when it completed). */
    record Item(List<Workload> batch, Long expected, Throwable failure) {
    }

    private static final Item COMPLETED = new Item(null, null, null);

    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(2);

    @Override
    public void expect(long total) {
        put(new Item(null, total, null));
    }

    @Override
    public void accept(List<Workload> batch) {
        put(new Item(List.copyOf(batch), null, null));
    }

    /** The listing ended, completed ({@code failure} null) or failed. */
    void end(Throwable failure) {
        try {
            queue.put(failure == null ? COMPLETED : new Item(null, null, failure));
        } catch (InterruptedException callerGaveUp) {
            // it cancelled the listing and reports why itself
            Thread.currentThread().interrupt();
        }
    }

    /** The next item, or null when none came within {@code millis}. */
    Item next(long millis) throws InterruptedException {
        return queue.poll(millis, TimeUnit.MILLISECONDS);
    }

    private void put(Item item) {
        try {
            queue.put(item);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the listing was abandoned by its caller", e);
        }
    }
}
