package io.gantry.marathon;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

import io.gantry.spi.EngineUnavailableException;

/**
 * HTTP to a Marathon HA cluster (or a Mesos master). Every call is bounded by the engine's call
 * timeout as a whole, across fail-over attempts. A call goes to the endpoint that answered last;
 * on a connection error it tries the next ones. Reads (GET) also fail over after an I/O error
 * mid-response; writes fail over only when the connection was never made, so a write is never
 * sent twice.
 *
 * <p>Redirects (a standby Marathon sends {@code /v2/events} to the leader) are followed here, not by
 * the JDK client: it would repeat the {@code Authorization} header to any host a redirect names. The
 * credentials go along only to the registered endpoints; elsewhere the request goes without them.
 */
final class MarathonHttp {
    /** A status and body, as Marathon answered. */
    record Response(int status, String body, URI endpoint) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final MarathonSettings settings;
    private final String what;
    private final List<URI> endpoints;
    private final HttpClient client;
    private final AtomicInteger current = new AtomicInteger();
    private static final int MAX_REDIRECTS = 5;

    /**
     * @param what      what is called, for messages ({@code Marathon}, {@code Mesos master})
     * @param endpoints base URLs, tried in order
     */
    MarathonHttp(MarathonSettings settings, String what, List<URI> endpoints) {
        this.settings = settings;
        this.what = what;
        this.endpoints = endpoints;
        HttpClient.Builder builder = HttpClient.newBuilder()
                // standby Marathons (1.7+) redirect /v2/events to the leader: followed by exchange()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(min(settings.callTimeout(), Duration.ofSeconds(5)));
        if (settings.sslContext() != null) {
            builder.sslContext(settings.sslContext());
        }
        this.client = builder.build();
    }

    /**
     * An answer whose body is read as it arrives; close it when done (also after an exception).
     *
     * @param body read with the call timeout as the longest silence allowed ({@link ProgressBody}); an I/O error
     *             while reading it is the caller's to map ({@link #unavailable})
     */
    record Streamed(int status, InputStream body, URI endpoint) implements AutoCloseable {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The whole (small: an error's) body as a {@link Response}, for {@link MarathonAnswers#expectOk}. */
        Response read() throws IOException {
            return new Response(status, new String(body.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8), endpoint);
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /** How much of an error answer is read: a proxy's page, never a listing. */
    private static final int MAX_ERROR_BODY = 64 * 1024;

    Response get(String pathAndQuery) {
        return send("GET", pathAndQuery, null);
    }

    /**
     * GETs an answer that can be big ({@code /v2/apps} of a Marathon with 100,000 apps is about 200 MB), to read as a
     * stream: the wait for the headers is bounded by the call timeout, and then each read of the body by the call
     * timeout of silence, so a long answer whose bytes keep coming is read to its end (issue 22). Fails over to the
     * next endpoint, as {@link #send} does, until the headers arrived. The wait for the headers joins the running
     * {@link CallBudget}.
     *
     * @throws EngineUnavailableException when no endpoint answered with headers within the call timeout
     */
    Streamed getStreamed(String pathAndQuery) {
        long deadline = CallBudget.deadline(settings.callTimeout());
        int start = current.get();
        IOException last = null;
        Streamed noLeader = null;
        for (int attempt = 0; attempt < endpoints.size(); attempt++) {
            int index = Math.floorMod(start + attempt, endpoints.size());
            URI base = endpoints.get(index);
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            if (left.isNegative() || left.isZero()) {
                break;
            }
            HttpRequest request = request(base, pathAndQuery, left).header("Accept", "application/json").GET().build();
            try {
                HttpResponse<InputStream> r = exchange(request, ProgressBody.handler(settings.callTimeout()));
                Streamed answer = new Streamed(r.statusCode(), r.body(), base);
                if (r.statusCode() == 503) {
                    // no leader here (election under way): another may have one
                    if (noLeader != null) {
                        noLeader.body().close();
                    }
                    noLeader = answer;
                    continue;
                }
                current.set(index);
                if (noLeader != null) {
                    noLeader.body().close();
                }
                return answer;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EngineUnavailableException("interrupted while calling " + what + " of "
                        + settings.engineName(), e);
            } catch (IOException e) {
                last = e;
            }
        }
        if (noLeader != null) {
            return noLeader;
        }
        throw unavailable("GET " + stripQuery(pathAndQuery), last);
    }

    /** The port's exception for a streamed answer that broke or went silent while it was read. */
    EngineUnavailableException broken(String pathAndQuery, IOException cause) {
        return unavailable("GET " + stripQuery(pathAndQuery), cause);
    }

    /**
     * Sends one request. Never throws for an HTTP status: the caller maps statuses.
     *
     * @throws EngineUnavailableException when no endpoint answered within the call timeout
     */
    Response send(String method, String pathAndQuery, String jsonBody) {
        long deadline = CallBudget.deadline(settings.callTimeout());
        int start = current.get();
        IOException last = null;
        Response noLeader = null;
        for (int attempt = 0; attempt < endpoints.size(); attempt++) {
            int index = Math.floorMod(start + attempt, endpoints.size());
            URI base = endpoints.get(index);
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            if (left.isNegative() || left.isZero()) {
                break;
            }
            HttpRequest.Builder request = request(base, pathAndQuery, left)
                    .header("Accept", "application/json");
            if (jsonBody == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8));
            }
            try {
                HttpResponse<String> r = exchange(request.build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (r.statusCode() == 503) {
                    // a Marathon without a leader (election under way) refuses everything: another may have one
                    noLeader = new Response(r.statusCode(), r.body(), base);
                    continue;
                }
                current.set(index);
                return new Response(r.statusCode(), r.body(), base);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EngineUnavailableException("interrupted while calling " + what + " of "
                        + settings.engineName(), e);
            } catch (IOException e) {
                last = e;
                if (!"GET".equals(method) && !neverConnected(e)) {
                    break;
                }
            }
        }
        if (noLeader != null) {
            return noLeader;
        }
        throw unavailable(method + " " + stripQuery(pathAndQuery), last);
    }

    /**
     * Opens a long-lived stream (the event bus, with {@code Accept: text/event-stream}). Only
     * the wait for the response headers is bounded by the call timeout; the body stays open.
     */
    HttpResponse<InputStream> openStream(String pathAndQuery, String accept) {
        IOException last = null;
        int start = current.get();
        for (int attempt = 0; attempt < endpoints.size(); attempt++) {
            int index = Math.floorMod(start + attempt, endpoints.size());
            URI base = endpoints.get(index);
            HttpRequest request = request(base, pathAndQuery, settings.callTimeout())
                    .header("Accept", accept).GET().build();
            try {
                HttpResponse<InputStream> r = exchange(request, HttpResponse.BodyHandlers.ofInputStream());
                current.set(index);
                return r;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EngineUnavailableException("interrupted while opening " + pathAndQuery, e);
            } catch (IOException e) {
                last = e;
            }
        }
        throw unavailable("GET " + stripQuery(pathAndQuery), last);
    }

    /**
     * POSTs a call whose answer streams (a Mesos agent's RecordIO answers) to the endpoint that answered last. Only
     * the wait for the response headers is bounded by the call timeout; the body stays open. HTTP/1.1, as Mesos
     * speaks it (no h2c upgrade attempt).
     */
    HttpResponse<InputStream> postForStream(String path, String jsonBody, Map<String, String> headers) {
        URI base = endpoints.get(current.get());
        HttpRequest.Builder request = request(base, path, settings.callTimeout()).version(HttpClient.Version.HTTP_1_1)
                .POST(HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8));
        headers.forEach(request::header);
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineUnavailableException("interrupted while calling " + what + " of " + settings.engineName(), e);
        } catch (IOException e) {
            throw unavailable("POST " + path, e);
        }
    }

    /**
     * POSTs a request whose body streams for as long as {@code body} publishes (chunked), as a Mesos agent's
     * {@code ATTACH_CONTAINER_INPUT} wants. The answer comes once the body ended, so no timeout applies: the caller
     * ends the body. HTTP/1.1: a streamed body cannot go through an h2c upgrade.
     */
    CompletableFuture<HttpResponse<String>> postStreaming(String path, Flow.Publisher<ByteBuffer> body,
                                                          Map<String, String> headers) {
        URI base = endpoints.get(current.get());
        HttpRequest.Builder request = request(base, path, null).version(HttpClient.Version.HTTP_1_1)
                .POST(HttpRequest.BodyPublishers.fromPublisher(body));
        headers.forEach(request::header);
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /**
     * Sends and follows the redirects of a GET as {@link HttpClient.Redirect#NORMAL} would (never from
     * https to http), with the {@code Authorization} header only for the registered endpoints.
     */
    private <T> HttpResponse<T> exchange(HttpRequest first, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        HttpRequest request = first;
        for (int hop = 0; ; hop++) {
            HttpResponse<T> response = client.send(request, handler);
            String location = response.headers().firstValue("Location").orElse(null);
            int status = response.statusCode();
            boolean redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
            if (!redirect || location == null || !"GET".equals(request.method()) || hop == MAX_REDIRECTS) {
                return response;
            }
            URI next;
            try {
                next = request.uri().resolve(location);
            } catch (IllegalArgumentException notAUri) {
                return response;
            }
            if ("https".equalsIgnoreCase(request.uri().getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
                return response;
            }
            if (response.body() instanceof InputStream unread) {
                unread.close();
            }
            HttpRequest.Builder again = HttpRequest.newBuilder(next).GET();
            request.timeout().ifPresent(again::timeout);
            request.headers().map().forEach((name, values) -> {
                if (!name.equalsIgnoreCase("Authorization")) {
                    values.forEach(v -> again.header(name, v));
                }
            });
            if (settings.authorization() != null && endpoints.stream().anyMatch(e -> sameOrigin(e, next))) {
                again.header("Authorization", settings.authorization());
            }
            request = again.build();
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** A request to {@code base}; {@code timeout} bounds the wait for the answer's headers, none when null. */
    private HttpRequest.Builder request(URI base, String pathAndQuery, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery));
        if (timeout != null) {
            b.timeout(timeout);
        }
        if (settings.authorization() != null) {
            b.header("Authorization", settings.authorization());
        }
        return b;
    }

    private EngineUnavailableException unavailable(String call, IOException cause) {
        String why = cause instanceof HttpTimeoutException
                ? "no answer within the call timeout of " + settings.callTimeout().toMillis() + " ms"
                        + (cause.getMessage() != null && cause.getMessage().startsWith("no bytes")
                        ? " (" + cause.getMessage() + ")" : "")
                : cause == null ? "call timeout exhausted" : describe(cause);
        return new EngineUnavailableException(what + " of engine " + settings.engineName() + " did not answer " + call
                + " at " + endpoints + ": " + why, cause);
    }

    private static boolean neverConnected(IOException e) {
        return e instanceof ConnectException || e instanceof HttpConnectTimeoutException
                || e.getCause() instanceof ConnectException;
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    private static String stripQuery(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
