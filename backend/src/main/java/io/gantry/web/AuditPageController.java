package io.gantry.web;

import org.springframework.web.bind.annotation.GetMapping;

/** The audit page (ADMIN): the exec sessions on record, and the replay of a recorded console. */
@UiController
class AuditPageController {
    @GetMapping("/audit")
    String audit() {
        return "audit";
    }
}
