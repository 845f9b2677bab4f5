package io.gantry.web;

import java.util.UUID;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * A terminal on one instance ({@code /workloads/{id}/console?instance=...}, OPERATOR). The page only carries the
 * workload and the instance: the console WebSocket decides everything else (the instance runs, the engine can exec,
 * the caller may), so the page asks nothing here that the upgrade would not ask again.
 */
@UiController
class ConsolePageController {
    static final int MAX_INSTANCE_CHARS = 253;

    @GetMapping("/workloads/{id}/console")
    String console(@PathVariable UUID id, @RequestParam(required = false) String instance, Model model) {
        if (instance == null || instance.isBlank() || instance.length() > MAX_INSTANCE_CHARS) {
            throw BadRequestException.field("instance", "name the instance to open a console in, e.g. "
                    + "/workloads/" + id + "/console?instance=web-0 (the Console button of each instance does)");
        }
        model.addAttribute("workloadId", id);
        model.addAttribute("instance", instance);
        return "console";
    }
}
