package io.gantry.operation;

import io.gantry.engine.EngineStore;
import io.gantry.spi.HealthCheck;
import io.gantry.spi.WorkloadKind;
import io.gantry.web.UiController;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** The deploy page: a form for the normalized spec and an import tab; both post to the REST API. */
@UiController
class DeployPageController {
    private final EngineStore engines;

    DeployPageController(EngineStore engines) {
        this.engines = engines;
    }

    @GetMapping("/deploy")
    String deploy(Model model) {
        model.addAttribute("engines", engines.findAll());
        model.addAttribute("kinds", WorkloadKind.values());
        model.addAttribute("healthTypes", HealthCheck.Type.values());
        return "deploy";
    }

    @GetMapping("/operations")
    String operations() {
        return "operations";
    }
}
