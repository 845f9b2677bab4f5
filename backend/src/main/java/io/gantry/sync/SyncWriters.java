package io.gantry.sync;

import jakarta.annotation.PreDestroy;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * The threads that store listing batches ({@link ListingWriter}), shared by every engine: one per core. A batch costs
 * the server a JSON document and a hash per workload and PostgreSQL the index entries of those it writes; written
 * one after the other on the engine's worker thread, one of two cores idled while the other worked. Each listing
 * keeps at most {@link ListingWriter#IN_FLIGHT} batches here, so a big engine cannot queue ahead of the others by
 * more than that, and what a listing holds in memory stays bounded.
 */
@Component
class SyncWriters implements Executor {
    private final ThreadPoolExecutor pool;

    SyncWriters() {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        AtomicInteger count = new AtomicInteger();
        pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "sync-write-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // idle between syncs: no threads kept
        pool.allowCoreThreadTimeOut(true);
    }

    @Override
    public void execute(Runnable batch) {
        pool.execute(batch);
    }

    /**
     * No new batches; those queued still run (and fail fast once the database is closed), so that every listing
     * waiting for its batches sees them end rather than waiting for a batch that was dropped.
     */
    @PreDestroy
    void close() {
        pool.shutdown();
    }
}
