package io.gantry.sync;

import io.gantry.cluster.Fence;
import io.gantry.engine.Engine;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadSink;
import io.gantry.workload.RemovedWorkload;
import io.gantry.workload.StoredHashes;
import io.gantry.workload.WorkloadStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores one full listing batch by batch as the engine hands it over: each batch's changed workloads are written
 * (unchanged ones cost a hash and a look at the engine's stored hashes, read once when the listing starts; no
 * write) and published, so a big engine's workloads show up as they are
 * read and a replica that stops midway keeps what it wrote. Only the native ids listed are held until the
 * listing completes, to delete what the engine no longer has; that happens in {@link #complete}, never before,
 * so a listing cut short deletes nothing.
 *
 * <p>Batches are stored on {@link SyncWriters}, up to {@link #IN_FLIGHT} at a time, while the listing goes on: the
 * batches of one listing hold distinct workloads, so their order does not matter, and nothing is deleted or
 * recorded as done before every one of them is stored. A batch that failed fails the listing at the next batch, or
 * at its end.
 *
 * <p>A listing that runs longer than {@link #PROGRESS_EVERY} is announced (the engine is UP while it syncs) and
 * its progress is recorded at that pace; a quick one writes its progress once, when it completes.
 */
final class ListingWriter implements WorkloadSink {
    private static final Logger log = LoggerFactory.getLogger(ListingWriter.class);
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);
    /** Batches of one listing being stored at once: two keep both cores of a small server busy. */
    static final int IN_FLIGHT = 2;

    private final Engine engine;
    private final Fence fence;
    private final SyncPorts ports;
    private final SyncWrites writes;
    private final boolean reportChanges;
    private final Runnable onLongListing;
    private final Instant startedAt = Instant.now();
    private final Set<String> listed = new HashSet<>();
    /**
     * The engine's stored hashes by native id, read before the listing. Only this listing writes the engine's
     * workloads until it completes (changes the watch delivers meanwhile are applied after it, on the same
     * thread), so they stay true for it; read by the writer threads only, after it was handed to them.
     */
    private final StoredHashes storedHashes;
    private long nextProgressNanos = System.nanoTime() + PROGRESS_EVERY.toNanos();
    private boolean announced;
    private final AtomicLong written = new AtomicLong();
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
    private final AtomicReference<RuntimeException> failed = new AtomicReference<>();
    private Long expected;

    /**
     * @param reportChanges whether changed workloads are handed to revisions as they are stored (after the first
     *                      full sync of a lease; the first one hands every workload over at once when done)
     * @param onLongListing run once, on the worker thread, when the listing has run for a while
     */
    ListingWriter(Engine engine, Fence fence, SyncPorts ports, SyncWrites writes, boolean reportChanges,
                  Runnable onLongListing) {
        this.engine = engine;
        this.fence = fence;
        this.ports = ports;
        this.writes = writes;
        this.reportChanges = reportChanges;
        this.onLongListing = onLongListing;
        this.storedHashes = ports.workloads().storedHashes(engine);
    }

    @Override
    public void expect(long total) {
        expected = total;
    }

    @Override
    public void accept(List<Workload> batch) {
        throwIfFailed();
        batch.forEach(w -> listed.add(w.nativeId()));
        // an engine that hands its whole listing over at once is stored in parts all the same
        for (int from = 0; from < batch.size(); from += WorkloadStore.BATCH) {
            submit(batch.subList(from, Math.min(batch.size(), from + WorkloadStore.BATCH)));
        }
        long nanos = System.nanoTime();
        if (nanos - nextProgressNanos >= 0) {
            nextProgressNanos = nanos + PROGRESS_EVERY.toNanos();
            if (!announced) {
                announced = true;
                onLongListing.run();
            }
            ports.progress().syncing(fence, startedAt, listed.size(), expected);
        }
    }

    private void submit(List<Workload> part) {
        // bounded by the parts under way, which are database statements: not interruptible, so that a stopping
        // worker never leaves a write behind it unaccounted for
        inFlight.acquireUninterruptibly();
        try {
            ports.writers().execute(() -> {
                try {
                    store(part);
                } catch (RuntimeException | Error e) {
                    failed.compareAndSet(null, e instanceof RuntimeException r ? r
                            : new IllegalStateException("storing a batch failed: " + e, e));
                    if (e instanceof Error error) {
                        throw error;
                    }
                } finally {
                    inFlight.release();
                }
            });
        } catch (RejectedExecutionException stopping) {
            inFlight.release();
            throw new IllegalStateException("the server is stopping", stopping);
        }
    }

    /** Writes the batch's changed workloads and publishes them; on a thread of {@link SyncWriters}. */
    private void store(List<Workload> batch) {
        written.addAndGet(writes.store(engine, batch, reportChanges, storedHashes));
    }

    /** Waits for the batches under way. */
    private void drain() {
        inFlight.acquireUninterruptibly(IN_FLIGHT);
        inFlight.release(IN_FLIGHT);
    }

    private void throwIfFailed() {
        RuntimeException e = failed.get();
        if (e != null) {
            throw e;
        }
    }

    /**
     * The listing completed: deletes the workloads it did not hold and records the sync as done.
     *
     * @return the workloads deleted
     */
    List<RemovedWorkload> complete(Instant now) {
        drain();
        throwIfFailed();
        List<RemovedWorkload> removed = ports.workloads().removeAllBut(engine, fence, listed, now);
        ports.progress().completed(fence, startedAt, now, listed.size(), written.addAndGet(removed.size()));
        return removed;
    }

    /** The listing failed or was stopped: a recorded SYNCING state ends (what was stored stays). */
    void abandon() {
        drain();
        if (!announced) {
            return;
        }
        try {
            ports.progress().abandoned(fence);
        } catch (RuntimeException e) {
            log.debug("Engine {}: the end of an abandoned sync could not be recorded: {}", engine.name(), e.toString());
        }
    }

    int listed() {
        return listed.size();
    }

    long written() {
        return written.get();
    }
}
