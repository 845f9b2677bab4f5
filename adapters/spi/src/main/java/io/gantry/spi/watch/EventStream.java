package io.gantry.spi.watch;

/**
 * One open connection of an engine's event stream, read by one {@link EventWatch} thread.
 *
 * @param <E> one decoded event of the engine
 */
public interface EventStream<E> extends AutoCloseable {
    /**
     * The next event, blocking until one arrives.
     *
     * @return the event, or {@code null} once the engine ended the stream
     * @throws Exception the stream broke; {@link #close} from another thread must also end a blocked call
     */
    E next() throws Exception;

    /**
     * Why the resync that follows this connection should name more than the gap, such as a new leader;
     * {@code null} for the gap's own words.
     */
    default String resyncReason() {
        return null;
    }

    /** Releases the connection; idempotent, callable from any thread. */
    @Override
    void close();
}
