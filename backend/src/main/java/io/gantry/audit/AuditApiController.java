package io.gantry.audit;

import io.gantry.web.BadRequestException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code GET /api/v1/audit}: the audit trail, newest first (administrators only, see AccessRules). */
@RestController
class AuditApiController {
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 500;
    private static final String CURSOR_PREFIX = "audit:";

    private final AuditTrail trail;
    private final JsonMapper json;

    AuditApiController(AuditTrail trail, JsonMapper json) {
        this.trail = trail;
        this.json = json;
    }

    /** {@code detail} is the stored JSON object itself (redacted request fields, redirect), not a string. */
    record AuditItem(long id, Instant time, String username, String action, String target, int status, JsonNode detail,
            String remoteAddress) {
    }

    record AuditPage(List<AuditItem> items, long total, String nextCursor) {
    }

    @GetMapping("/api/v1/audit")
    AuditPage list(@RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor,
            @RequestParam(required = false) String user) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw BadRequestException.field("limit", "must be between 1 and " + MAX_LIMIT);
        }
        long before = cursor == null || cursor.isEmpty() ? Long.MAX_VALUE : decode(cursor);
        List<AuditEntry> page = trail.page(user, before, size + 1);
        boolean more = page.size() > size;
        List<AuditItem> items = page.stream().limit(size).map(this::item).toList();
        String next = more ? encode(items.get(items.size() - 1).id()) : null;
        return new AuditPage(items, trail.count(user), next);
    }

    private AuditItem item(AuditEntry e) {
        JsonNode detail = e.detail() == null ? null : json.readTree(e.detail());
        return new AuditItem(e.id(), e.time(), e.username(), e.action(), e.target(), e.status(), detail,
                e.remoteAddress());
    }

    static String encode(long id) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + id).getBytes(StandardCharsets.UTF_8));
    }

    static long decode(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.startsWith(CURSOR_PREFIX)) {
                long id = Long.parseLong(text.substring(CURSOR_PREFIX.length()));
                if (id > 0) {
                    return id;
                }
            }
        } catch (IllegalArgumentException e) {
            // falls through to the same answer as any other foreign cursor
        }
        throw BadRequestException.field("cursor", "is not a cursor of this list; start again without one");
    }
}
