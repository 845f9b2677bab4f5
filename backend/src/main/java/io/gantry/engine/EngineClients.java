package io.gantry.engine;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineAdapter;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineException;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.WorkloadSink;
import io.gantry.web.NamedEngineFailure;
import io.gantry.web.NotFoundException;
import jakarta.annotation.PreDestroy;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * One {@link EngineClient} per registered engine, and the only way the server calls an engine:
 * every call runs on that engine's own threads and is abandoned after the call timeout, so an
 * engine that hangs costs its own threads and never anyone else's.
 */
@Component
public class EngineClients {
    private static final Logger log = LoggerFactory.getLogger(EngineClients.class);

    /** Per engine; more would only mean more threads stuck in the same unresponsive engine. */
    static final int MAX_CALLS_IN_FLIGHT = 16;

    private final EngineStore store;
    private final EngineAdapters adapters;
    private final EndpointPolicy endpoints;
    private final Duration callTimeout;
    private final Map<UUID, Handle> handles = new ConcurrentHashMap<>();

    EngineClients(EngineStore store, EngineAdapters adapters, EndpointPolicy endpoints,
                  @Value("${gantry.sync.call-timeout:10s}") Duration callTimeout) {
        this.store = store;
        this.adapters = adapters;
        this.endpoints = endpoints;
        this.callTimeout = callTimeout;
    }

    /**
     * Runs {@code call} against the engine's client with the call timeout.
     *
     * @throws EngineUnavailableException naming the engine when it does not answer in time
     * @throws EngineException            as the adapter threw it
     * @throws NotFoundException          when no such engine is registered
     */
    public <T> T call(UUID engineId, String what, Function<EngineClient, T> call) {
        Handle handle = handle(engineId);
        Future<T> future;
        try {
            future = handle.executor.submit(() -> {
                // before every call, not once: a name may come to resolve to a denied address later
                endpoints.refusal(handle.destinations).ifPresent(why -> {
                    throw new EngineUnavailableException("endpoint resolves to a denied address: " + why);
                });
                return call.apply(handle.client);
            });
        } catch (RejectedExecutionException e) {
            throw unavailable(handle.name, MAX_CALLS_IN_FLIGHT + " calls are still waiting for it; " + what + " not sent", e);
        }
        try {
            // the adapter should time out by itself; the grace lets its own, clearer error win
            return future.get(handle.timeout.toMillis() + 250, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw unavailable(handle.name, what + " did not answer within " + handle.timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw failed(handle.name, what, e.getCause());
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw unavailable(handle.name, what + " was interrupted", e);
        }
    }

    /**
     * Runs a batched listing ({@code call} hands its batches to the sink it is given) and hands each batch to
     * {@code sink} on the calling thread as it arrives. Unlike {@link #call} the deadline follows progress: the
     * engine's call timeout bounds each silence (from the start, or from the last batch, to the next batch or the
     * end), and {@code overall} caps the whole listing, so a big engine that keeps answering is not taken for a
     * hung one. The listing runs on the engine's threads; at most two batches wait between it and the caller, so
     * a slow caller slows the listing instead of piling up its answer.
     *
     * @throws EngineUnavailableException naming the engine when it goes silent, exceeds {@code overall}, or fails
     * @throws EngineException            as the adapter threw it
     * @throws RuntimeException           as {@code sink} threw it; the listing is then abandoned
     */
    public void stream(UUID engineId, String what, Duration overall, BiConsumer<EngineClient, WorkloadSink> call,
                       WorkloadSink sink) {
        Handle handle = handle(engineId);
        BatchHandOver handOver = new BatchHandOver();
        Future<?> future;
        try {
            future = handle.executor.submit(() -> {
                try {
                    endpoints.refusal(handle.destinations).ifPresent(why -> {
                        throw new EngineUnavailableException("endpoint resolves to a denied address: " + why);
                    });
                    call.accept(handle.client, handOver);
                    handOver.end(null);
                } catch (RuntimeException | Error e) {
                    handOver.end(e);
                }
            });
        } catch (RejectedExecutionException e) {
            throw unavailable(handle.name, MAX_CALLS_IN_FLIGHT + " calls are still waiting for it; " + what + " not sent", e);
        }
        long silenceMillis = handle.timeout.toMillis() + 250;
        long capNanos = System.nanoTime() + overall.toNanos();
        try {
            while (true) {
                long left = Math.min(silenceMillis, TimeUnit.NANOSECONDS.toMillis(capNanos - System.nanoTime()));
                BatchHandOver.Item item = left <= 0 ? null : handOver.next(left);
                if (item == null) {
                    future.cancel(true);
                    throw unavailable(handle.name, System.nanoTime() - capNanos >= 0
                            ? what + " did not complete within " + overall.toMillis() + " ms"
                            : what + " did not answer within " + handle.timeout.toMillis() + " ms", null);
                }
                if (item.batch() != null) {
                    sink.accept(item.batch());
                } else if (item.expected() != null) {
                    sink.expect(item.expected());
                } else if (item.failure() == null) {
                    return;
                } else {
                    throw failed(handle.name, what, item.failure());
                }
            }
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw unavailable(handle.name, what + " was interrupted", e);
        } catch (RuntimeException e) {
            future.cancel(true);
            throw e;
        }
    }

    private static RuntimeException failed(String engine, String what, Throwable cause) {
        if (cause instanceof EngineUnavailableException u) {
            return unavailable(engine, u.getMessage(), u);
        }
        if (cause instanceof EngineException ee) {
            return ee;
        }
        log.warn("Engine {}: {} failed unexpectedly: {}", engine, what, cause.toString());
        return unavailable(engine, what + " failed: " + cause.getMessage(), cause);
    }

    /** What the engine can do as configured; no network I/O. */
    public Set<Capability> capabilities(UUID engineId) {
        return handle(engineId).client.capabilities();
    }

    /** The default call timeout; an engine may set its own with the option {@value #TIMEOUT_OPTION}. */
    public Duration callTimeout() {
        return callTimeout;
    }

    /** An engine's own call timeout ({@code 30s}, {@code 500ms}...), for engines known to be slow or far away. */
    static final String TIMEOUT_OPTION = "callTimeout";

    /** @throws IllegalArgumentException when the option is set but not a duration */
    static Duration timeout(Map<String, String> options, Duration fallback) {
        String value = options.get(TIMEOUT_OPTION);
        return value == null || value.isBlank() ? fallback : DurationStyle.detectAndParse(value.trim());
    }

    private static EngineUnavailableException unavailable(String engine, String message, Throwable cause) {
        return new EngineUnavailableException("engine '" + engine + "': " + message, new NamedEngineFailure(engine, cause));
    }

    private Handle handle(UUID engineId) {
        return handles.computeIfAbsent(engineId, id -> {
            Engine engine = store.find(id).orElseThrow(() -> new NotFoundException("engine", id));
            Duration timeout = timeout(engine.options(), callTimeout);
            EngineConnection connection = new EngineConnection(engine.id(), engine.name(), engine.endpoint(),
                    engine.labels(), store.credentials(id), engine.options(), timeout);
            EngineAdapter adapter = adapters.forKind(engine.kind(), "kind");
            List<URI> destinations = adapter.destinations(connection);
            EngineClient client = adapter.connect(connection);
            CustomizableThreadFactory threads = new CustomizableThreadFactory("engine-" + engine.name() + "-");
            threads.setDaemon(true);
            // bounded: calls stuck in an engine that ignores interrupts must not pile up threads forever
            ExecutorService executor = new ThreadPoolExecutor(0, MAX_CALLS_IN_FLIGHT, 60, TimeUnit.SECONDS,
                    new SynchronousQueue<>(), threads);
            return new Handle(engine.name(), client, executor, timeout, destinations);
        });
    }

    @EventListener
    void onSaved(EngineSaved event) {
        close(event.engineId());
    }

    @EventListener
    void onRemoved(EngineRemoved event) {
        close(event.engineId());
    }

    private void close(UUID engineId) {
        Handle handle = handles.remove(engineId);
        if (handle != null) {
            handle.close();
        }
    }

    @PreDestroy
    void closeAll() {
        handles.keySet().forEach(this::close);
    }

    private record Handle(String name, EngineClient client, ExecutorService executor, Duration timeout,
                          List<URI> destinations) {
        void close() {
            try {
                client.close();
            } catch (RuntimeException e) {
                log.warn("Engine {}: closing its client failed: {}", name, e.toString());
            }
            executor.shutdownNow();
        }
    }
}
