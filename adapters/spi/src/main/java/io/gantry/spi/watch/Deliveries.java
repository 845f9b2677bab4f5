package io.gantry.spi.watch;

import io.gantry.spi.EngineChange;
import java.time.Duration;

/**
 * Where an {@link EventSource} hands what its events mean. Everything handed here reaches the listener on
 * one delivery thread, in the order handed, and nothing does once the watch is closed.
 */
public interface Deliveries {
    /** Delivers a change after everything handed before it. */
    void send(EngineChange change);

    /**
     * Runs a re-read of one workload on the delivery thread, after everything handed before it. A re-read of
     * the same workload still waiting is not queued twice: it reads the newest state when it runs anyway. A
     * {@link EngineChange.WorkloadRemoved} sent for the workload ends that, so that a re-read asked for after
     * the removal runs after it.
     *
     * @param nativeId the workload
     * @param reread   reads it and {@link #send}s what it found; may block on the engine
     */
    void reread(String nativeId, Runnable reread);

    /** Runs {@code task} on the delivery thread after {@code delay}: follow-up re-reads of an engine that is slow to settle. */
    void later(Duration delay, Runnable task);

    /**
     * A change may have been missed (a re-read failed, mostly because the engine is going away), but asking for
     * a resync now would send the receiver into a full sync against an engine that does not answer. The resync
     * is sent with the next connection, or after the next {@link EventSource#check} that finds the stream alive.
     */
    void owe(String reason);

    /** Whether the watch was closed: a re-read that failed because close interrupted it sends nothing. */
    boolean closed();
}
