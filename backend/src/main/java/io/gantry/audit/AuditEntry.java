package io.gantry.audit;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One row of the audit trail. Written once, never updated. */
@Entity
@Table(name = "audit_log")
class AuditEntry {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false)
    private Instant time;

    @Column(nullable = false)
    private String username;

    @Column(nullable = false)
    private String action;

    private String target;

    @Column(nullable = false)
    private int status;

    @Column(columnDefinition = "text")
    private String detail;

    @Column(name = "remote_address")
    private String remoteAddress;

    protected AuditEntry() {
    }

    AuditEntry(Instant time, String username, String action, String target, int status, String detail,
            String remoteAddress) {
        this.time = time;
        this.username = username;
        this.action = action;
        this.target = target;
        this.status = status;
        this.detail = detail;
        this.remoteAddress = remoteAddress;
    }

    Long id() {
        return id;
    }

    Instant time() {
        return time;
    }

    String username() {
        return username;
    }

    String action() {
        return action;
    }

    String target() {
        return target;
    }

    int status() {
        return status;
    }

    String detail() {
        return detail;
    }

    String remoteAddress() {
        return remoteAddress;
    }
}
