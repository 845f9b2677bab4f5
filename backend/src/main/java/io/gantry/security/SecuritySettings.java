package io.gantry.security;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * What an ADMIN switches at run time ({@code security_settings}, one row): today whether everyone must sign in with
 * a second factor, and whether
 * password sign-in is on (off only while an identity provider is configured). Every replica reads the row; a change reaches the others within {@link #FRESH}.
 */
@Service
class SecuritySettings {
    /** How long a replica trusts what it read: the check runs on every request of a signed-in browser. */
    static final Duration FRESH = Duration.ofSeconds(2);

    private final JdbcTemplate jdbc;
    private final Clock clock = Clock.systemUTC();
    private volatile Read last;

    SecuritySettings(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    record View(boolean totpRequired, boolean passwordLogin, Instant updatedAt, String updatedBy) {
    }

    private record Read(View view, Instant at) {
    }

    View view() {
        Read read = last;
        Instant now = clock.instant();
        if (read == null || read.at().plus(FRESH).isBefore(now)) {
            View view = jdbc.queryForObject("SELECT totp_required, password_login, updated_at, updated_by FROM security_settings WHERE id = 1",
                    (rs, i) -> new View(rs.getBoolean(1), rs.getBoolean(2),
                            rs.getTimestamp(3) == null ? null : rs.getTimestamp(3).toInstant(), rs.getString(4)));
            read = new Read(view, now);
            last = read;
        }
        return read.view();
    }

    boolean totpRequired() {
        return view().totpRequired();
    }

    boolean passwordLogin() {
        return view().passwordLogin();
    }

    /** Changes the non-null settings. */
    View update(Boolean totpRequired, Boolean passwordLogin, String by) {
        jdbc.update("UPDATE security_settings SET totp_required = COALESCE(?, totp_required), "
                + "password_login = COALESCE(?, password_login), updated_at = ?, updated_by = ? WHERE id = 1",
                totpRequired, passwordLogin, Timestamp.from(clock.instant()), by);
        last = null;
        return view();
    }
}
