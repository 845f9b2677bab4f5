package io.gantry.history;

import io.gantry.access.Scope;
import io.gantry.access.Scopes;
import io.gantry.security.Role;
import io.gantry.engine.EngineStore;
import io.gantry.history.HistoryPoints.EngineHistory;
import io.gantry.history.HistoryPoints.EngineSeries;
import io.gantry.history.HistoryPoints.Totals;
import io.gantry.history.HistoryPoints.Usage;
import io.gantry.history.HistoryPoints.WorkloadHistory;
import io.gantry.history.HistoryStore.UsageReading;
import io.gantry.web.BadRequestException;
import io.gantry.web.NotFoundException;
import io.gantry.workload.WorkloadAccess;
import io.gantry.workload.WorkloadStore;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Series for the charts: a workload's replicas and usage, and every engine's totals. */
@RestController
class HistoryApiController {
    private static final String DEFAULT_SINCE = "PT6H";

    private final HistoryStore history;
    private final WorkloadStore workloads;
    private final EngineStore engines;
    private final HistorySettings settings;

    private final WorkloadAccess access;
    private final Scopes scopes;
    HistoryApiController(HistoryStore history, WorkloadStore workloads, EngineStore engines, HistorySettings settings, WorkloadAccess access, Scopes scopes) {
        this.scopes = scopes;
        this.access = access;
        this.history = history;
        this.workloads = workloads;
        this.engines = engines;
        this.settings = settings;
    }

    @GetMapping("/api/v1/workloads/{id}/history")
    WorkloadHistory workload(@PathVariable UUID id, @RequestParam(defaultValue = DEFAULT_SINCE) String since) {
        Instant from = from(since);
        access.readable(id);
        return new WorkloadHistory(history.replicas(id, from), usage(history.usage(id, from), from),
                settings.samplePeriod().toSeconds());
    }

    @GetMapping("/api/v1/history")
    EngineHistory engines(@RequestParam(defaultValue = DEFAULT_SINCE) String since) {
        Map<UUID, List<Totals>> totals = history.engineTotals(from(since));
        // totals are engine-wide: only for a grant on every namespace of the engine
        Scope scope = scopes.current();
        return new EngineHistory(engines.findAll().stream().filter(e -> scope.allowsEngine(Role.VIEWER, e.name()))
                .map(e -> new EngineSeries(e.id(), e.name(), totals.getOrDefault(e.id(), List.of()))).toList(),
                settings.samplePeriod().toSeconds());
    }

    /** The start of the window {@code since} asks for, capped at the retention: older rows are gone anyway. */
    private Instant from(String since) {
        Duration window;
        try {
            window = Duration.parse(since);
        } catch (DateTimeParseException e) {
            throw BadRequestException.field("since", "must be an ISO-8601 duration such as PT6H or P1D");
        }
        if (window.isNegative() || window.isZero()) {
            throw BadRequestException.field("since", "must be a positive duration");
        }
        Duration capped = window.compareTo(settings.retention()) > 0 ? settings.retention() : window;
        return Instant.now().minus(capped);
    }

    /**
     * Readings as points within the window: CPU in millicores from the CPU seconds between a reading and the one
     * before it. The reading before the window only serves as the first rate's base.
     */
    private static List<Usage> usage(List<UsageReading> readings, Instant from) {
        List<Usage> points = new ArrayList<>();
        UsageReading previous = null;
        for (UsageReading r : readings) {
            if (!r.at().isBefore(from)) {
                points.add(new Usage(r.at(), millicores(previous, r), r.memoryBytes()));
            }
            previous = r;
        }
        return points;
    }

    private static Long millicores(UsageReading before, UsageReading now) {
        if (before == null || before.instances() != now.instances() || now.cpuSeconds() < before.cpuSeconds()) {
            return null;
        }
        double seconds = Duration.between(before.at(), now.at()).toNanos() / 1e9;
        return seconds <= 0 ? null : Math.round((now.cpuSeconds() - before.cpuSeconds()) / seconds * 1000);
    }
}
