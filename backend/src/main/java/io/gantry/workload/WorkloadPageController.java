package io.gantry.workload;

import io.gantry.engine.EngineClients;
import io.gantry.engine.EngineStore;
import io.gantry.spi.Capability;
import io.gantry.spi.Phase;
import io.gantry.spi.WorkloadKind;
import io.gantry.web.BadRequestException;
import io.gantry.web.Page;
import io.gantry.web.UiController;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.json.JsonMapper;

/** The workloads table (all engines), a workload's detail page, and the compare page. */
@UiController
class WorkloadPageController {
    private final WorkloadLister lister;
    private final WorkloadReads reads;
    private final EngineStore engines;
    private final EngineClients clients;
    private final JsonMapper json;

    WorkloadPageController(WorkloadLister lister, WorkloadReads reads, EngineStore engines, EngineClients clients,
                           JsonMapper json) {
        this.lister = lister;
        this.reads = reads;
        this.engines = engines;
        this.clients = clients;
        this.json = json;
    }

    @GetMapping("/workloads")
    String list(@RequestParam(required = false) String engine,
                @RequestParam(required = false) String engineKind,
                @RequestParam(required = false) String namespace,
                @RequestParam(required = false) String kind,
                @RequestParam(required = false) String phase,
                @RequestParam(required = false) List<String> label,
                @RequestParam(required = false) String q,
                @RequestParam(required = false) String sort,
                @RequestParam(required = false) String cursor,
                @RequestParam(required = false) List<String> back,
                Model model) {
        WorkloadFilter filter = new WorkloadFilter(engine, engineKind, namespace, kind, phase, label, q, sort);
        Page<WorkloadView> page;
        try {
            page = lister.list(lister.parse(engine, engineKind, namespace, kind, phase, filter.label(), q, sort,
                    WorkloadLister.DEFAULT_LIMIT, cursor));
        } catch (BadRequestException e) {
            // a bad filter is shown next to the form, which stays usable to correct it
            model.addAttribute("problem", e.getMessage());
            page = Page.of(List.of());
        }
        model.addAttribute("filter", filter);
        model.addAttribute("page", page);
        boolean firstPage = cursor == null || cursor.isBlank();
        List<String> before = back == null || firstPage ? List.of() : back.stream().filter(c -> !c.isBlank()).toList();
        model.addAttribute("firstPage", !firstPage);
        if (page.nextCursor() != null) {
            List<String> upToHere = new ArrayList<>(before);
            if (!firstPage) {
                upToHere.add(cursor);
            }
            model.addAttribute("nextUrl", filter.pageUrl(page.nextCursor(), upToHere));
        }
        if (!firstPage) {
            model.addAttribute("previousUrl", before.isEmpty() ? filter.pageUrl(null, List.of())
                    : filter.pageUrl(before.get(before.size() - 1), before.subList(0, before.size() - 1)));
        }
        model.addAttribute("engines", engines.findAll());
        model.addAttribute("kinds", WorkloadKind.values());
        model.addAttribute("phases", Phase.values());
        return "workloads";
    }

    @GetMapping("/workloads/{id}")
    String detail(@PathVariable UUID id, Model model) {
        // an OPERATOR's page carries the real values in the spec editor (saving it must not write ***)
        WorkloadView w = reads.shown(id);
        Set<String> capabilities = capabilities(w);
        model.addAttribute("w", w);
        model.addAttribute("env", reads.maskedEnv(w));
        model.addAttribute("capabilities", capabilities);
        model.addAttribute("specJson", json.writerWithDefaultPrettyPrinter().writeValueAsString(w.spec()));
        return "workload";
    }

    @GetMapping("/compare")
    String compare(@RequestParam(required = false) List<String> ids, Model model) {
        model.addAttribute("ids", ids == null ? "" : String.join(",", ids));
        return "compare";
    }

    /** The engine's capabilities in lower case; empty when the engine cannot be reached right now. */
    private Set<String> capabilities(WorkloadView w) {
        try {
            return clients.capabilities(w.engine().id()).stream().map(Capability::name)
                    .map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        } catch (RuntimeException unreachable) {
            return Set.of();
        }
    }
}
