package io.gantry.marathon;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body read as an {@link InputStream} whose reads wait at most {@code idle} for the next bytes: a long
 * answer whose bytes keep coming is read to its end, one that goes silent fails with {@link HttpTimeoutException}
 * (issue 22: a 194 MB {@code /v2/apps} is a big engine, not a down one). The JDK's own
 * {@code BodySubscribers.ofInputStream()} blocks for ever on a silent connection and its request timeout ends with
 * the headers, so neither bounds the body.
 *
 * <p>One list of buffers is asked for at a time, so at most two are held: the body is never buffered as a whole.
 * Read by one thread; {@link #close()} from any.
 */
final class ProgressBody extends InputStream implements HttpResponse.BodySubscriber<InputStream> {
    private static final Object END = new Object();

    private final Duration idle;
    /** Lists of buffers, {@link #END}, or the {@link Throwable} the connection ended with. */
    private final BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;
    private Iterator<ByteBuffer> buffers = List.<ByteBuffer>of().iterator();
    private ByteBuffer current;
    private boolean ended;

    ProgressBody(Duration idle) {
        this.idle = idle;
    }

    /** A handler that reads every answer, whatever its status, through a {@link ProgressBody}. */
    static HttpResponse.BodyHandler<InputStream> handler(Duration idle) {
        return info -> new ProgressBody(idle);
    }

    @Override
    public CompletionStage<InputStream> getBody() {
        return CompletableFuture.completedStage(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (closed) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        arrived.add(item);
    }

    @Override
    public void onError(Throwable error) {
        arrived.add(error);
    }

    @Override
    public void onComplete() {
        arrived.add(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        ByteBuffer buffer = next();
        if (buffer == null) {
            return -1;
        }
        int n = Math.min(length, buffer.remaining());
        buffer.get(into, offset, n);
        return n;
    }

    /** A buffer with bytes left, waiting at most {@code idle} for one; {@code null} at the end of the body. */
    private ByteBuffer next() throws IOException {
        while (current == null || !current.hasRemaining()) {
            if (closed) {
                throw new IOException("the answer was closed");
            }
            if (ended) {
                return null;
            }
            if (buffers.hasNext()) {
                current = buffers.next();
                continue;
            }
            Object item;
            try {
                item = arrived.poll(idle.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IOException("interrupted while reading the answer", e);
            }
            if (item == null) {
                close();
                throw new HttpTimeoutException("no bytes for " + idle.toMillis() + " ms in the middle of the answer");
            }
            if (item == END) {
                ended = true;
            } else if (item instanceof Throwable error) {
                ended = true;
                throw error instanceof IOException io ? io : new IOException(error);
            } else {
                @SuppressWarnings("unchecked")
                List<ByteBuffer> list = (List<ByteBuffer>) item;
                buffers = list.iterator();
                // asked for only now that the previous list is used up: the connection waits, not the heap
                subscription.request(1);
            }
        }
        return current;
    }

    @Override
    public void close() {
        closed = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        arrived.clear();
    }
}
