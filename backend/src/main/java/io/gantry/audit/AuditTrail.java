package io.gantry.audit;

import java.time.Instant;
import java.util.List;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;

/** Writes and reads the audit trail. Newest first; pages are keyed by id, which only grows. */
@Service
public class AuditTrail {
    private final AuditRepository entries;

    AuditTrail(AuditRepository entries) {
        this.entries = entries;
    }

    /** One recorded mutation. {@code detail} must already be redacted. */
    public record Record(Instant time, String username, String action, String target, int status, String detail,
            String remoteAddress) {
    }

    public void record(Record r) {
        entries.save(new AuditEntry(r.time(), clip(r.username(), 64), clip(r.action(), 300), clip(r.target(), 300),
                r.status(), r.detail(), clip(r.remoteAddress(), 64)));
    }

    List<AuditEntry> page(String username, long beforeId, int limit) {
        return username == null ? entries.findByIdLessThanOrderByIdDesc(beforeId, Limit.of(limit))
                : entries.findByUsernameAndIdLessThanOrderByIdDesc(username, beforeId, Limit.of(limit));
    }

    long count(String username) {
        return username == null ? entries.count() : entries.countByUsername(username);
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
