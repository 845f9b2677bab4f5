package io.gantry.workload;

import io.gantry.engine.EngineClients;
import io.gantry.spi.LogLine;
import io.gantry.spi.LogSink;
import io.gantry.spi.Subscription;
import io.gantry.stream.LiveStream;
import io.gantry.web.BadRequestException;
import io.gantry.web.Page;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

@RestController
@RequestMapping("/api/v1/workloads")
class WorkloadApiController {
    private static final int MAX_TAIL = 10_000;
    private static final long FOLLOW_TIMEOUT_MS = 30 * 60 * 1000L;

    private final WorkloadLister lister;
    private final WorkloadReads reads;
    private final EngineClients clients;
    private final LiveStream stream;

    WorkloadApiController(WorkloadLister lister, WorkloadReads reads, EngineClients clients, LiveStream stream) {
        this.lister = lister;
        this.reads = reads;
        this.clients = clients;
        this.stream = stream;
    }

    @GetMapping
    Page<StoredWorkload> list(@RequestParam(required = false) String engine,
                            @RequestParam(required = false) String engineKind,
                            @RequestParam(required = false) String namespace,
                            @RequestParam(required = false) String kind,
                            @RequestParam(required = false) String phase,
                            @RequestParam(required = false) List<String> label,
                            @RequestParam(required = false) String q,
                            @RequestParam(required = false) String sort,
                            @RequestParam(required = false) Integer limit,
                            @RequestParam(required = false) String cursor) {
        return reads.shown(lister.parse(engine, engineKind, namespace, kind, phase, label, q, sort, limit, cursor));
    }

    @GetMapping("/{id}")
    WorkloadView get(@PathVariable UUID id) {
        return reads.shown(id);
    }

    @GetMapping("/{id}/native")
    ResponseEntity<JsonNode> nativeObject(@PathVariable UUID id) {
        return ResponseEntity.ok(reads.nativeObject(id));
    }

    /**
     * The last lines as text/plain, or with {@code follow=true} a text/event-stream with one event per line;
     * past the follows allowed per user or in all, a 429 problem {@code too-many-streams}.
     */
    @GetMapping("/{id}/logs")
    Object logs(@PathVariable UUID id, @RequestParam(defaultValue = "200") int tail,
                @RequestParam(defaultValue = "false") boolean follow, Authentication caller) {
        if (!follow) {
            return tailLogs(id, tail);
        }
        WorkloadView w = reads.find(id);
        checkTail(tail);
        LiveStream.Follow logs = stream.follow(caller, FOLLOW_TIMEOUT_MS);
        AtomicReference<Subscription> subscription = new AtomicReference<>();
        Runnable stop = () -> {
            Subscription s = subscription.getAndSet(null);
            if (s != null) {
                s.close();
            }
        };
        logs.onEnd(stop);
        try {
            subscription.set(clients.call(w.engine().id(), "follow logs", c -> c.followLogs(w.nativeId(), tail, new LogSink() {
                @Override
                public void onLine(LogLine line) {
                    // never waits: a client that cannot keep up loses the follow, not the engine's reader
                    logs.send("log", line);
                }

                @Override
                public void onEnd(Throwable failure) {
                    logs.end();
                }
            })));
        } catch (RuntimeException e) {
            logs.end();
            throw e;
        }
        if (!logs.isOpen()) {
            // it ended (revoked, client gone) while the engine was being asked: its onEnd may have run already
            stop.run();
        }
        return logs.emitter();
    }

    private ResponseEntity<String> tailLogs(UUID id, int tail) {
        WorkloadView w = reads.find(id);
        checkTail(tail);
        List<LogLine> lines = clients.call(w.engine().id(), "read logs", c -> c.logs(w.nativeId(), tail));
        StringBuilder text = new StringBuilder();
        for (LogLine line : lines) {
            text.append('[').append(line.instance()).append("] ").append(line.text()).append('\n');
        }
        return ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).body(text.toString());
    }

    private static void checkTail(int tail) {
        if (tail < 0 || tail > MAX_TAIL) {
            throw BadRequestException.field("tail", "must be between 0 and " + MAX_TAIL);
        }
    }
}
