package io.gantry.config;

import io.gantry.web.UiController;
import org.springframework.web.bind.annotation.GetMapping;

/** The Configs page: it renders from {@code /api/v1/configs}, which cuts what it shows to the caller's grants. */
@UiController
class ConfigPageController {
    @GetMapping("/configs")
    String configs() {
        return "configs";
    }
}
