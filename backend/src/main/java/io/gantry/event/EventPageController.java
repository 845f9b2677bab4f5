package io.gantry.event;

import io.gantry.web.UiController;
import org.springframework.web.bind.annotation.GetMapping;

/** The events timeline merged across engines; filters live in the URL and go to {@code GET /api/v1/events}. */
@UiController
class EventPageController {
    @GetMapping("/events")
    String events() {
        return "events";
    }
}
