package io.gantry.stream;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

@RestController
class StreamApiController {
    private final LiveStream stream;

    StreamApiController(LiveStream stream) {
        this.stream = stream;
    }

    /** Live updates: {@code workload.updated}, {@code workload.deleted}, {@code engine.status}, {@code operation.updated}. */
    @GetMapping(value = "/api/v1/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter stream() {
        return stream.subscribe();
    }
}
