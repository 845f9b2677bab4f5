package io.gantry.history;

import io.gantry.engine.Engine;
import io.gantry.engine.EngineClients;
import io.gantry.engine.EngineStatus;
import io.gantry.engine.EngineStore;
import io.gantry.history.HistoryStore.RunningWorkload;
import io.gantry.history.HistoryStore.UsageReading;
import io.gantry.spi.Capability;
import io.gantry.spi.EngineException;
import io.gantry.spi.InstanceUsage;
import io.gantry.sync.SyncCoordinator;
import io.gantry.web.NotFoundException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Every sample period: each engine's running and desired totals, and the usage of every running workload on
 * engines that measure it ({@link Capability#USAGE}). Each replica samples only the engines it syncs, so that
 * with several replicas every engine is sampled once. Replica changes of single workloads need no sampling:
 * the sync writes them as they happen. Public for tests of other features (the dashboard's browser test)
 * that need a sample now rather than after a period.
 */
@Component
@EnableConfigurationProperties(HistorySettings.class)
public class HistorySampler {
    private static final Logger log = LoggerFactory.getLogger(HistorySampler.class);

    private final HistoryStore history;
    private final EngineStore engines;
    private final EngineClients clients;
    private final SyncCoordinator sync;

    HistorySampler(HistoryStore history, EngineStore engines, EngineClients clients, SyncCoordinator sync) {
        this.history = history;
        this.sync = sync;
        this.engines = engines;
        this.clients = clients;
    }

    @Scheduled(initialDelayString = "${gantry.history.sample-period:30s}", fixedDelayString = "${gantry.history.sample-period:30s}")
    void sample() {
        sampleNow(Instant.now());
    }

    /** Takes one sample; an engine that fails to report usage is skipped until the next one. */
    public void sampleNow(Instant at) {
        List<Engine> synced = engines.findAll().stream().filter(e -> sync.owns(e.id())).toList();
        history.sampleEngineTotals(at, synced.stream().map(Engine::id).toList());
        for (Engine engine : synced) {
            if (engine.status() == EngineStatus.UP && measuresUsage(engine)) {
                try {
                    sampleUsage(engine);
                } catch (EngineException e) {
                    log.warn("Engine {}: usage not sampled: {}", engine.name(), e.getMessage());
                }
            }
        }
    }

    private boolean measuresUsage(Engine engine) {
        try {
            return clients.capabilities(engine.id()).contains(Capability.USAGE);
        } catch (NotFoundException notConnectedYet) {
            return false;
        }
    }

    private void sampleUsage(Engine engine) {
        for (RunningWorkload w : history.runningWorkloads(engine.id())) {
            List<InstanceUsage> usage = clients.call(engine.id(), "read usage", c -> c.usage(w.nativeId()));
            if (usage.isEmpty()) {
                continue;
            }
            Instant measured = usage.stream().map(InstanceUsage::at).max(Comparator.naturalOrder()).orElseThrow();
            history.storeUsage(w.id(), engine.id(), new UsageReading(measured,
                    usage.stream().mapToDouble(InstanceUsage::cpuSeconds).sum(),
                    usage.stream().mapToLong(InstanceUsage::memoryBytes).sum(), usage.size()));
        }
    }
}
