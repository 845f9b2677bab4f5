package io.gantry.workload;

import io.gantry.access.Scope;
import io.gantry.access.Scopes;
import io.gantry.security.Role;
import io.gantry.engine.Engine;
import io.gantry.engine.EngineStore;
import io.gantry.spi.Phase;
import io.gantry.web.UiController;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The dashboard: one card per engine with its workloads by phase, totals, and what needs attention.
 * {@code ?part=live} renders only the part that live updates replace.
 */
@UiController
class DashboardPageController {
    private static final int ATTENTION_ROWS = 15;

    private final EngineStore engines;
    private final WorkloadStore workloads;
    private final Scopes scopes;

    DashboardPageController(EngineStore engines, WorkloadStore workloads, Scopes scopes) {
        this.scopes = scopes;
        this.engines = engines;
        this.workloads = workloads;
    }

    /** One engine card: the engine and its workload count per phase. */
    public record EngineCard(Engine engine, Map<String, Long> phases, long total) {
    }

    @GetMapping("/")
    String dashboard(@RequestParam(required = false) String part, Model model) {
        // the caller's grants cut every figure here, as they cut the lists
        Scope scope = scopes.current();
        Scope.Condition within = scope.sql(Role.VIEWER, "w.engine_name", "w.namespace");
        Map<UUID, Map<String, Long>> counts = workloads.phaseCounts(within);
        List<EngineCard> cards = engines.findAll().stream().filter(e -> scope.touchesEngine(Role.VIEWER, e.name())).map(e -> {
            Map<String, Long> phases = counts.getOrDefault(e.id(), Map.of());
            return new EngineCard(e, phases, phases.values().stream().mapToLong(Long::longValue).sum());
        }).toList();
        long total = cards.stream().mapToLong(EngineCard::total).sum();
        long running = cards.stream().mapToLong(c -> c.phases().getOrDefault(Phase.RUNNING.name(), 0L)).sum();
        model.addAttribute("cards", cards);
        model.addAttribute("phases", Phase.values());
        model.addAttribute("total", total);
        model.addAttribute("running", running);
        model.addAttribute("enginesUp", cards.stream().filter(c -> c.engine().status().name().equals("UP")).count());
        model.addAttribute("attention", workloads.needingAttention(within, ATTENTION_ROWS));
        return "live".equals(part) ? "dashboard :: live" : "dashboard";
    }
}
