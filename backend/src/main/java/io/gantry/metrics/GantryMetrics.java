package io.gantry.metrics;

import io.gantry.engine.Engine;
import io.gantry.engine.EngineStatus;
import io.gantry.engine.EngineStore;
import io.gantry.workload.WorkloadStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The {@code gantry_*} series of API.md. Workload and engine gauges are recomputed from the store every
 * {@code gantry.metrics.refresh} (10 s) rather than tracked incrementally, and not after each sync as well. The
 * workloads' GROUP BY reads the whole table (half a second of both cores at 1,000,000 workloads), so it runs only when
 * this process changed workloads since it last ran, or when that is {@link #OTHER_WRITERS_MAX_AGE_MS} ago (other
 * replicas' writes).
 */
@Component
public class GantryMetrics {
    private final MeterRegistry registry;
    private final JdbcTemplate jdbc;
    private final EngineStore engines;
    private final GaugeRows workloads;
    private final GaugeRows engineUp;
    private final Map<String, AtomicReference<Double>> eventLag = new ConcurrentHashMap<>();
    static final long OTHER_WRITERS_MAX_AGE_MS = 60_000;
    private final WorkloadStore store;
    private volatile long countedGeneration = -1;
    private volatile long countedAt;

    GantryMetrics(MeterRegistry registry, JdbcTemplate jdbc, EngineStore engines, WorkloadStore store) {
        this.registry = registry;
        this.jdbc = jdbc;
        this.engines = engines;
        this.store = store;
        this.workloads = new GaugeRows("gantry.workloads", "Workloads in the store by engine, kind and phase", registry);
        this.engineUp = new GaugeRows("gantry.engine.up", "1 when the engine is UP or DEGRADED, else 0", registry);
    }

    public void recordSync(Engine engine, Duration took) {
        Timer.builder("gantry.sync.duration").description("Full resync of one engine")
                .tags("engine", engine.name(), "kind", engine.kind()).register(registry).record(took);
    }

    public void operationFinished(String action, String state) {
        Counter.builder("gantry.operations").description("Operations by action and final state")
                .tags("action", action, "state", state).register(registry).increment();
    }

    /** How far behind the engine's own clock a watched event reached us. */
    public void eventLag(Engine engine, Duration lag) {
        eventLag.computeIfAbsent(engine.name(), name -> {
            AtomicReference<Double> holder = new AtomicReference<>(0.0);
            Gauge.builder("gantry.engine.event.lag", holder, AtomicReference::get).baseUnit("seconds")
                    .description("Delay between an engine event and its arrival in Gantry")
                    .tags("engine", name, "kind", engine.kind()).register(registry);
            return holder;
        }).set(Math.max(0, lag.toMillis() / 1000.0));
    }

    /**
     * Recomputes the workload and engine gauges. Called on the scheduler (and by tests): the queries run unlocked,
     * the gauges are updated under a lock (a late older count is replaced by the next refresh).
     */
    @Scheduled(fixedDelayString = "${gantry.metrics.refresh:10s}", initialDelayString = "${gantry.metrics.refresh:10s}")
    public void refresh() {
        // read before counting: a write during the count leaves the generation behind, and the next refresh counts
        long generation = store.generation();
        long now = System.currentTimeMillis();
        Map<Tags, Long> counts = null;
        if (generation != countedGeneration || now - countedAt >= OTHER_WRITERS_MAX_AGE_MS) {
            Map<Tags, Long> counted = new HashMap<>();
            jdbc.query("SELECT engine_name, kind, phase, count(*) FROM workloads GROUP BY 1, 2, 3", rs -> {
                counted.put(Tags.of("engine", rs.getString(1), "kind", rs.getString(2), "phase", rs.getString(3)),
                        rs.getLong(4));
            });
            counts = counted;
        }
        Map<Tags, Long> up = new HashMap<>();
        for (Engine e : engines.findAll()) {
            boolean isUp = e.status() == EngineStatus.UP || e.status() == EngineStatus.DEGRADED;
            up.put(Tags.of("engine", e.name(), "kind", e.kind()), isUp ? 1L : 0L);
        }
        synchronized (this) {
            if (counts != null) {
                workloads.set(counts);
                countedGeneration = generation;
                countedAt = now;
            }
            engineUp.set(up);
        }
    }
}
