package io.gantry.exec;

import io.gantry.web.BadRequestException;
import io.gantry.web.NotFoundException;
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

    private final ExecJournal journal;
    private final ExecSessions sessions;

    ExecAuditApiController(ExecJournal journal, ExecSessions sessions) {
        this.journal = journal;
        this.sessions = sessions;
    }

    /** A session as the audit page lists it; {@code endedAt}, {@code exitCode} and {@code endReason} null while open. */
    record SessionItem(UUID id, String username, String mode, UUID workloadId, String workloadName, String engine,
                       String instance, List<String> command, boolean tty, Instant startedAt, Instant endedAt,
                       Integer exitCode, long bytesIn, long bytesOut, String endReason, boolean recorded,
                       String remoteAddress) {
        static SessionItem of(ExecJournal.Entry e) {
            return new SessionItem(e.id(), e.username(), e.mode(), e.workloadId(), e.workloadName(), e.engine(),
                    e.instance(), e.command(), e.tty(), e.startedAt(), e.endedAt(), e.exitCode(), e.bytesIn(),
                    e.bytesOut(), e.endReason(), e.recording() != null, e.remoteAddress());
        }
    }

    /** @param next the {@code before} of the next page, null on the last */
    record SessionPage(List<SessionItem> items, Instant next) {
    }

    /** @param before only sessions started before this instant (the previous page's {@code next}) */
    @GetMapping("/api/v1/audit/sessions")
    SessionPage list(@RequestParam(required = false) Integer limit, @RequestParam(required = false) String before) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw BadRequestException.field("limit", "must be between 1 and " + MAX_LIMIT);
        }
        Instant until;
        try {
            until = before == null || before.isBlank() ? null : Instant.parse(before);
        } catch (DateTimeParseException e) {
            throw BadRequestException.field("before", "must be an instant such as 2026-12-02T18:00:00Z");
        }
        List<ExecJournal.Entry> page = journal.page(until, size + 1);
        List<SessionItem> items = page.stream().limit(size).map(SessionItem::of).toList();
        return new SessionPage(items, page.size() > size ? items.get(items.size() - 1).startedAt() : null);
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
