package io.gantry.marathon;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.gantry.spi.EngineUnavailableException;

/**
 * The body of a request that streams while the caller keeps writing (the records of an
 * {@code ATTACH_CONTAINER_INPUT} call), published to the JDK HTTP client at the pace it asks for. Chunks sent
 * before the client subscribed wait for it. Any thread may send; chunks go out in the order they were queued.
 */
final class StreamedBody implements Flow.Publisher<ByteBuffer> {
    /** Chunks waiting for the connection; a sender blocks beyond this (an agent that stopped reading stdin). */
    private static final int QUEUED = 256;

    private final BlockingQueue<ByteBuffer> queue = new LinkedBlockingQueue<>(QUEUED);
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger draining = new AtomicInteger();
    private final AtomicBoolean completed = new AtomicBoolean();
    private volatile Flow.Subscriber<? super ByteBuffer> subscriber;
    private volatile boolean ended;
    private volatile boolean cancelled;

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
        if (subscriber != null) {
            // the HTTP client subscribes once per send; a second one would see a stream already half sent
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            s.onError(new IllegalStateException("a streamed body is sent once"));
            return;
        }
        subscriber = s;
        s.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                demand.accumulateAndGet(Math.max(n, 0), (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
                drain();
            }

            @Override
            public void cancel() {
                cancelled = true;
                queue.clear();
            }
        });
        drain();
    }

    /**
     * Queues a chunk; waits up to {@code wait} for room.
     *
     * @return false when the body already ended or the connection gave it up (nothing was queued)
     * @throws EngineUnavailableException when the connection took nothing for {@code wait}
     */
    boolean send(byte[] chunk, Duration wait) {
        if (ended || cancelled) {
            return false;
        }
        try {
            if (!queue.offer(ByteBuffer.wrap(chunk), wait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new EngineUnavailableException("the Mesos agent took no input for " + wait.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineUnavailableException("interrupted while sending input to the Mesos agent", e);
        }
        drain();
        return true;
    }

    /** Ends the body once what is queued went out. Idempotent. */
    void end() {
        ended = true;
        drain();
    }

    /** Delivers queued chunks while there is demand; one thread at a time, the others leave it more to do. */
    private void drain() {
        if (draining.getAndIncrement() != 0) {
            return;
        }
        do {
            Flow.Subscriber<? super ByteBuffer> s = subscriber;
            if (s != null && !cancelled) {
                while (demand.get() > 0) {
                    ByteBuffer next = queue.poll();
                    if (next == null) {
                        break;
                    }
                    demand.decrementAndGet();
                    s.onNext(next);
                }
                if (ended && queue.isEmpty() && completed.compareAndSet(false, true)) {
                    s.onComplete();
                }
            }
        } while (draining.decrementAndGet() != 0);
    }
}
