package io.gantry.audit;

import java.time.Instant;

/** One row of the audit trail. Written once, never updated. */
record AuditEntry(long id, Instant time, String username, String action, String target, int status, String detail,
                  String remoteAddress) {
}
