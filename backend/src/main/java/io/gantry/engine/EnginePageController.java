package io.gantry.engine;

import io.gantry.web.UiController;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** Engines (admins add, test, edit and delete them) and their nodes; both pages render from the REST API. */
@UiController
class EnginePageController {
    private final EngineAdapters adapters;

    EnginePageController(EngineAdapters adapters) {
        this.adapters = adapters;
    }

    @GetMapping("/engines")
    String engines(Model model) {
        model.addAttribute("kinds", adapters.kinds());
        return "engines";
    }

    @GetMapping("/nodes")
    String nodes() {
        return "nodes";
    }
}
