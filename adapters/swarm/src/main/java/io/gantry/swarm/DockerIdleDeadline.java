package io.gantry.swarm;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

/**
 * A deadline on silence, not on the whole answer: it runs {@code onExpiry} (which closes the stream, the only way to
 * end a blocked read on a unix socket) when no byte arrived for the timeout. Time spent handing parsed data to the
 * caller ({@link #pause()} .. {@link #resume()}) is not silence of the engine's.
 */
final class DockerIdleDeadline implements AutoCloseable {
    private final long timeoutNanos;
    private final Runnable onExpiry;
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile boolean paused;
    private volatile boolean expired;
    private volatile boolean closed;
    private volatile ScheduledFuture<?> check;

    DockerIdleDeadline(Duration timeout, Runnable onExpiry) {
        this.timeoutNanos = timeout.toNanos();
        this.onExpiry = onExpiry;
        arm(timeoutNanos);
    }

    /** {@code body}, counting every byte read as progress. */
    InputStream watch(InputStream body) {
        return new FilterInputStream(body) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    progress();
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    progress();
                }
                return n;
            }
        };
    }

    void progress() {
        lastProgressNanos = System.nanoTime();
    }

    /** While the caller works on what was read, the engine is not waited for. */
    void pause() {
        paused = true;
    }

    void resume() {
        progress();
        paused = false;
    }

    /** Whether the stream was cut for silence (so a failed read means a silent engine, not a broken one). */
    boolean expired() {
        return expired;
    }

    private void arm(long delayNanos) {
        if (!closed) {
            check = DockerHttp.atDeadline(Duration.ofNanos(Math.max(delayNanos, 1_000_000)), this::check);
        }
    }

    private void check() {
        if (closed) {
            return;
        }
        long idle = System.nanoTime() - lastProgressNanos;
        if (paused || idle < timeoutNanos) {
            arm(paused ? timeoutNanos : timeoutNanos - idle);
            return;
        }
        expired = true;
        onExpiry.run();
    }

    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> pending = check;
        if (pending != null) {
            pending.cancel(false);
        }
    }
}
