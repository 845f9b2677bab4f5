package io.gantry.security;

import io.gantry.web.UiController;
import org.springframework.web.bind.annotation.GetMapping;

/** Users (ADMIN) and one's own API tokens; both pages call the REST API with the session. */
@UiController
class AccountPageController {
    @GetMapping("/users")
    String users() {
        return "users";
    }

    @GetMapping("/tokens")
    String tokens() {
        return "tokens";
    }
}
