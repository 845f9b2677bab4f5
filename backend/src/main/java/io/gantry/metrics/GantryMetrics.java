package io.gantry.metrics;

import io.gantry.engine.Engine;
import io.gantry.engine.EngineStatus;
import io.gantry.engine.EngineStore;
import io.gantry.workload.WorkloadStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The {@code gantry_*} series of API.md. Workload and engine gauges are recomputed from the store every few seconds and
 * after each sync, rather than tracked incrementally. The workloads' GROUP BY reads the whole table (half a second of
 * both cores at 1,000,000 workloads), so it runs only when this process changed workloads since it last ran, or when
 * that is {@link #OTHER_WRITERS_MAX_AGE_MS} ago (other replicas' writes); a sync that changed nothing costs nothing.
 */
@Component
public class GantryMetrics {
    private final MeterRegistry registry;
    private final JdbcTemplate jdbc;
    private final EngineStore engines;
    private final MultiGauge workloads;
    private final MultiGauge engineUp;
    private final Map<String, AtomicReference<Double>> eventLag = new ConcurrentHashMap<>();
    static final long OTHER_WRITERS_MAX_AGE_MS = 60_000;
    private final WorkloadStore store;
    // not synchronized: two refreshes at once both count (as before); a lock would make sync threads wait on counts
    private volatile long countedGeneration = -1;
    private volatile long countedAt;

    GantryMetrics(MeterRegistry registry, JdbcTemplate jdbc, EngineStore engines, WorkloadStore store) {
        this.registry = registry;
        this.jdbc = jdbc;
        this.engines = engines;
        this.store = store;
        this.workloads = MultiGauge.builder("gantry.workloads")
                .description("Workloads in the store by engine, kind and phase").register(registry);
        this.engineUp = MultiGauge.builder("gantry.engine.up")
                .description("1 when the engine is UP or DEGRADED, else 0").register(registry);
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

    @Scheduled(fixedDelayString = "${gantry.metrics.refresh:10s}", initialDelayString = "${gantry.metrics.refresh:10s}")
    public void refresh() {
        // read before counting: a write during the count leaves the generation behind, and the next refresh counts
        long generation = store.generation();
        long now = System.currentTimeMillis();
        if (generation != countedGeneration || now - countedAt >= OTHER_WRITERS_MAX_AGE_MS) {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            jdbc.query("SELECT engine_name, kind, phase, count(*) FROM workloads GROUP BY 1, 2, 3", rs -> {
                rows.add(MultiGauge.Row.of(Tags.of("engine", rs.getString(1), "kind", rs.getString(2),
                        "phase", rs.getString(3)), rs.getLong(4)));
            });
            workloads.register(rows, true);
            countedGeneration = generation;
            countedAt = now;
        }
        List<MultiGauge.Row<?>> up = new ArrayList<>();
        for (Engine e : engines.findAll()) {
            boolean isUp = e.status() == EngineStatus.UP || e.status() == EngineStatus.DEGRADED;
            up.add(MultiGauge.Row.of(Tags.of("engine", e.name(), "kind", e.kind()), isUp ? 1 : 0));
        }
        engineUp.register(up, true);
    }
}
