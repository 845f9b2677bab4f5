package io.gantry.workload;

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

    DashboardPageController(EngineStore engines, WorkloadStore workloads) {
        this.engines = engines;
        this.workloads = workloads;
    }

    /** One engine card: the engine and its workload count per phase. */
    public record EngineCard(Engine engine, Map<String, Long> phases, long total) {
    }

    @GetMapping("/")
    String dashboard(@RequestParam(required = false) String part, Model model) {
        Map<UUID, Map<String, Long>> counts = workloads.phaseCounts();
        List<EngineCard> cards = engines.findAll().stream().map(e -> {
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
        model.addAttribute("attention", workloads.needingAttention(ATTENTION_ROWS));
        return "live".equals(part) ? "dashboard :: live" : "dashboard";
    }
}
