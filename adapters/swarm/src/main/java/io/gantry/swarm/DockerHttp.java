package io.gantry.swarm;

import com.github.dockerjava.transport.UnixSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.DefaultHttpRequestRetryStrategy;
import org.apache.hc.client5.http.impl.DefaultSchemePortResolver;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentLengthStrategy;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.impl.DefaultContentLengthStrategy;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EmptyInputStream;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.net.URIAuthority;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * HTTP/1.1 to dockerd over a unix socket (docker-java's {@code UnixSocket}), TCP or TLS, on Apache
 * httpclient5 wired as docker-java's own transport wires it. It exists instead of docker-java's
 * {@code ApacheDockerHttpClient} because that one hides the request, and only the request can be cancelled
 * from another thread: a unix socket ignores read timeouts, so every deadline here is a scheduled
 * {@link HttpUriRequestBase#cancel()}, which also bounds waiting for the response headers of a stream.
 */
final class DockerHttp implements AutoCloseable {
    // One daemon thread for all engines: it only cancels exchanges that ran past their deadline.
    private static final ScheduledThreadPoolExecutor DEADLINES = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "gantry-swarm-call-deadlines");
        t.setDaemon(true);
        return t;
    });

    static {
        // nearly every deadline is cancelled when its call returns: drop those at once, not when they would fire
        DEADLINES.setRemoveOnCancelPolicy(true);
    }

    private final CloseableHttpClient client;
    private final HttpHost host;

    /**
     * Runs {@code action} (which cuts a blocked call short) when {@code deadline} passes, unless the returned
     * future is cancelled first; for the adapter's own sockets ({@link DockerHijack}), which a unix socket's
     * ignored read timeout leaves no other way to bound.
     */
    static ScheduledFuture<?> atDeadline(Duration deadline, Runnable action) {
        return DEADLINES.schedule(action, deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    DockerHttp(SwarmEndpoint endpoint, Duration connectTimeout) {
        URI dockerHost = endpoint.dockerHost();
        boolean unix = "unix".equals(dockerHost.getScheme());
        TlsSocketStrategy tls = endpoint.tls() != null ? new DefaultClientTlsStrategy(endpoint.tls()) : null;
        this.host = unix ? new HttpHost("http", "localhost", 2375)
                : new HttpHost(tls != null ? "https" : "http", dockerHost.getHost(), dockerHost.getPort());
        DefaultHttpClientConnectionOperator operator = new DefaultHttpClientConnectionOperator(
                proxy -> unix ? unixSocket(dockerHost.getPath()) : new Socket(),
                DefaultSchemePortResolver.INSTANCE, SystemDefaultDnsResolver.INSTANCE,
                scheme -> "https".equalsIgnoreCase(scheme) ? tls : null);
        PoolingHttpClientConnectionManager connections = new PoolingHttpClientConnectionManager(operator, null, null, null,
                new ManagedHttpClientConnectionFactory(null, null, null, null, message -> {
                    // dockerd answers hijacked and some streamed requests with "Transfer-Encoding: identity",
                    // which httpcore rejects; read those until the connection closes (as docker-java does)
                    Header encoding = message.getFirstHeader(HttpHeaders.TRANSFER_ENCODING);
                    return encoding != null && "identity".equalsIgnoreCase(encoding.getValue())
                            ? ContentLengthStrategy.UNDEFINED : DefaultContentLengthStrategy.INSTANCE.determineLength(message);
                }, null));
        connections.setDefaultSocketConfig(SocketConfig.custom().setSoTimeout(Timeout.ZERO_MILLISECONDS).build());
        connections.setMaxTotal(1024);
        connections.setDefaultMaxPerRoute(1024);
        connections.setDefaultConnectionConfig(ConnectionConfig.custom()
                .setConnectTimeout(Timeout.of(connectTimeout))
                // no stale check: it reads with SO_TIMEOUT, which a unix socket ignores (docker-java PR 1590);
                // a dead pooled connection fails its request, and idempotent requests are retried once
                .setValidateAfterInactivity(TimeValue.NEG_ONE_SECOND)
                .build());
        this.client = HttpClients.custom()
                .setConnectionManager(connections)
                .setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(Timeout.of(connectTimeout)).build())
                .setRetryStrategy(new ReconnectOnlyRetryStrategy())
                // dockerd never redirects: a redirect comes from something else, and only the daemon is talked to
                .disableRedirectHandling()
                .evictIdleConnections(TimeValue.ofSeconds(30))
                .disableConnectionState()
                .build();
    }

    /**
     * Retries an idempotent request once when its pooled connection turned out dead (a restarted daemon), but
     * never on an answer: httpclient5's default would also retry dockerd's 503 ("not a swarm manager").
     */
    private static final class ReconnectOnlyRetryStrategy extends DefaultHttpRequestRetryStrategy {
        ReconnectOnlyRetryStrategy() {
            super(1, TimeValue.ZERO_MILLISECONDS);
        }

        @Override
        public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
            return false;
        }
    }

    private static Socket unixSocket(String path) {
        try {
            return UnixSocket.get(path);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Sends a request. The returned exchange is cancelled when {@code deadline} passes, unless the caller
     * called {@link Exchange#keepOpen()} before.
     *
     * @throws IOException when the daemon cannot be reached or the deadline passed before the headers came
     */
    Exchange send(String method, String path, byte[] jsonBody, Duration deadline) throws IOException {
        HttpUriRequestBase request = new HttpUriRequestBase(method, URI.create(path));
        request.setScheme(host.getSchemeName());
        request.setAuthority(new URIAuthority(host.getHostName(), host.getPort()));
        if (jsonBody != null) {
            request.setEntity(new ByteArrayEntity(jsonBody, ContentType.APPLICATION_JSON));
        }
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> timer = DEADLINES.schedule(() -> {
            expired.set(true);
            request.cancel();
        }, deadline.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return new Exchange(request, client.executeOpen(host, request, null), timer, expired);
        } catch (IOException | RuntimeException e) {
            timer.cancel(false);
            if (expired.get()) {
                throw new java.net.SocketTimeoutException("no answer within " + deadline.toMillis() + " ms");
            }
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    /** One request and its response. Closing it releases or aborts the connection. */
    static final class Exchange implements AutoCloseable {
        private final HttpUriRequestBase request;
        private final ClassicHttpResponse response;
        private final ScheduledFuture<?> timer;
        private final AtomicBoolean expired;
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile boolean consumed;

        private Exchange(HttpUriRequestBase request, ClassicHttpResponse response, ScheduledFuture<?> timer,
                         AtomicBoolean expired) {
            this.request = request;
            this.response = response;
            this.timer = timer;
            this.expired = expired;
        }

        int status() {
            return response.getCode();
        }

        String header(String name) {
            Header header = response.getFirstHeader(name);
            return header == null ? null : header.getValue();
        }

        InputStream body() throws IOException {
            return response.getEntity() == null ? EmptyInputStream.INSTANCE : response.getEntity().getContent();
        }

        /** Reads the whole body within the exchange's deadline. */
        byte[] readAll() throws IOException {
            try (InputStream in = body()) {
                byte[] bytes = in.readAllBytes();
                consumed = true;
                return bytes;
            } catch (IOException e) {
                if (expired.get()) {
                    throw new java.net.SocketTimeoutException("no complete answer within the call timeout");
                }
                throw e;
            }
        }

        /** For streams: no deadline from here on; the stream lives until it is closed. */
        void keepOpen() {
            timer.cancel(false);
        }

        boolean isClosed() {
            return closed.get();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                timer.cancel(false);
                if (!consumed) {
                    // a stream or a half-read body: drop the connection rather than drain it
                    request.cancel();
                }
                try {
                    response.close();
                } catch (IOException e) {
                    // the connection is discarded either way
                }
            }
        }
    }

    @Override
    public void close() {
        client.close(org.apache.hc.core5.io.CloseMode.IMMEDIATE);
    }
}
