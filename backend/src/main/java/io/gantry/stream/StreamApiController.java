package io.gantry.stream;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

@RestController
class StreamApiController {
    private final LiveStream stream;

    StreamApiController(LiveStream stream) {
        this.stream = stream;
    }

    /**
     * Live updates: {@code workload.updated}, {@code workload.deleted}, {@code engine.status}, {@code operation.updated}.
     * Past the open streams allowed per user or in all, a 429 problem {@code too-many-streams}.
     */
    @GetMapping(value = "/api/v1/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter stream(Authentication caller, HttpServletRequest request) {
        return stream.subscribe(caller, request.getRemoteAddr());
    }
}
