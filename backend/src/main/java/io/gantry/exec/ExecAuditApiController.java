package io.gantry.exec;

import io.gantry.web.BadRequestException;
import io.gantry.web.NotFoundException;
import io.gantry.workload.CursorCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The exec sessions on record, for the audit page (ADMIN, see AccessRules): {@code GET /api/v1/audit/sessions} and
 * a recorded console's asciicast at {@code GET /api/v1/audit/sessions/{id}/recording}.
 */
@RestController
class ExecAuditApiController {
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 500;

    /** The sort a cursor of this list names: other lists' cursors are refused. */
    private static final String SORT = "execSessions";

    private final ExecJournal journal;
    private final ExecSessions sessions;
    private final CursorCodec cursors;

    ExecAuditApiController(ExecJournal journal, ExecSessions sessions, CursorCodec cursors) {
        this.journal = journal;
        this.sessions = sessions;
        this.cursors = cursors;
    }

    /** A session as the audit page lists it; {@code endedAt}, {@code exitCode} and {@code endReason} null while open. */
    record ExecSessionView(UUID id, String username, String mode, UUID workloadId, String workloadName, String engine,
                       String instance, List<String> command, boolean tty, Instant startedAt, Instant endedAt,
                       Integer exitCode, long bytesIn, long bytesOut, String endReason, boolean recorded,
                       String remoteAddress) {
        static ExecSessionView of(ExecJournal.Entry e) {
            return new ExecSessionView(e.id(), e.username(), e.mode(), e.workloadId(), e.workloadName(), e.engine(),
                    e.instance(), e.command(), e.tty(), e.startedAt(), e.endedAt(), e.exitCode(), e.bytesIn(),
                    e.bytesOut(), e.endReason(), e.recording() != null, e.remoteAddress());
        }
    }

    record ExecSessionPage(List<ExecSessionView> items, long total, String nextCursor) {
    }

    /** @param cursor the {@code nextCursor} of the previous page: the sessions started before its last one follow */
    @GetMapping("/api/v1/audit/sessions")
    ExecSessionPage list(@RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw BadRequestException.field("limit", "must be between 1 and " + MAX_LIMIT);
        }
        ExecJournal.Position after = cursor == null || cursor.isEmpty() ? null : position(cursors.decode(cursor));
        List<ExecJournal.Entry> page = journal.page(after, size + 1);
        List<ExecSessionView> items = page.stream().limit(size).map(ExecSessionView::of).toList();
        String next = null;
        if (page.size() > size) {
            ExecSessionView last = items.get(items.size() - 1);
            next = cursors.encode(new CursorCodec.Position(SORT, last.startedAt().toString(), last.id().toString()));
        }
        return new ExecSessionPage(items, journal.count(), next);
    }

    private static ExecJournal.Position position(CursorCodec.Position position) {
        try {
            if (SORT.equals(position.sort())) {
                return new ExecJournal.Position(Instant.parse(position.key()), UUID.fromString(position.id()));
            }
        } catch (DateTimeParseException | IllegalArgumentException e) {
            // a signed cursor of ours never gets here; answered as any foreign cursor
        }
        throw BadRequestException.field("cursor", "is not a cursor of this list; start again without one");
    }

    @GetMapping("/api/v1/audit/sessions/{id}/recording")
    ResponseEntity<Resource> recording(@PathVariable UUID id) {
        ExecJournal.Entry session = journal.find(id).orElseThrow(() -> new NotFoundException("exec session", id));
        if (session.recording() == null) {
            throw new NotFoundException("exec session '" + id + "' was not recorded (gantry.exec.record was off, or it "
                    + "is still open)");
        }
        Path file = sessions.recordingFile(session.recording());
        if (!Files.isRegularFile(file)) {
            throw new NotFoundException("the recording of exec session '" + id + "' is not on this server's disk ("
                    + file.getParent() + "): it was recorded by another replica or removed");
        }
        try {
            return ResponseEntity.ok().contentType(MediaType.parseMediaType(Asciicast.MEDIA_TYPE))
                    .contentLength(Files.size(file)).body(new FileSystemResource(file));
        } catch (IOException e) {
            throw new NotFoundException("the recording of exec session '" + id + "' cannot be read: " + e.getMessage());
        }
    }
}
