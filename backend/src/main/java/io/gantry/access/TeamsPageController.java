package io.gantry.access;

import io.gantry.web.UiController;
import org.springframework.web.bind.annotation.GetMapping;

/** Teams and grants (ADMIN): the page calls the REST API with the session. */
@UiController
class TeamsPageController {
    @GetMapping("/teams")
    String teams() {
        return "teams";
    }
}
