package io.gantry.spi.watch;

import java.time.Duration;

/**
 * What one engine contributes to an {@link EventWatch}: how to open its event stream and what each event
 * means. Everything else (reconnecting, back-off, resyncs after a gap, delivery, closing) is the watch's.
 *
 * @param <E> one decoded event of the engine
 */
public interface EventSource<E> {
    /**
     * Opens the stream, blocking until it is open. Called from the watch's reader thread only, one call at a
     * time; an interrupt of that thread means the watch is closing.
     *
     * @throws io.gantry.spi.EngineForbiddenException the engine refused the credentials: the watch ends with
     *                                                {@link io.gantry.spi.WatchListener#onFailure}
     * @throws Exception                              anything else: the watch backs off and opens again
     */
    EventStream<E> open() throws Exception;

    /**
     * What one event means for the workloads, handed to {@code out}. Called on the reader thread, in stream
     * order: it must not block, so re-reads of the engine go through {@link Deliveries#reread}.
     */
    void decode(E event, Deliveries out);

    /**
     * Called every {@link EventWatch.Settings#checkInterval} while the stream is open, off the reader thread,
     * to notice a peer that vanished without closing the connection (engines that send no heartbeat).
     *
     * @param silentFor how long the stream has delivered nothing
     * @return why the stream should be dropped and re-opened, or {@code null} when it looks alive
     */
    default String check(Duration silentFor) {
        return null;
    }

    /**
     * Opening failed: the words of the resync that tells the receiver at once (once per outage) that the
     * engine does not answer, so that it learns of the outage now rather than at its next periodic resync.
     *
     * @return the reason, or {@code null} when this failure says nothing about the engine being down
     */
    default String unreachable(Exception failure) {
        return null;
    }
}
