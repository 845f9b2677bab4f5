package io.gantry.security;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * What ends when a user's access shrinks: their browser sessions (all, or all but the one that made
 * the change), their API tokens when the password changed, and, through {@link UserAccessChanged},
 * whatever else holds something open for them (live streams, log follows).
 *
 * <p>Called inside the change's transaction: tokens are revoked in it, while sessions end and the
 * event goes out once it commits, so a refused change (the last administrator) ends nothing and a
 * listener never acts on a change that is not visible yet.
 */
@Service
class AccessRevocation {
    private static final Logger log = LoggerFactory.getLogger(AccessRevocation.class);

    private final UserSessions sessions;
    private final ApiTokenStore tokens;
    private final ApplicationEventPublisher events;
    private final Clock clock = Clock.systemUTC();

    AccessRevocation(UserSessions sessions, ApiTokenStore tokens, ApplicationEventPublisher events) {
        this.sessions = sessions;
        this.tokens = tokens;
        this.events = events;
    }

    /**
     * @param revokeTokens   true for a new password: whoever knew the old one may have made tokens with it
     * @param keepSessionId  the session that made the change, kept when it is the user's own (may be null)
     */
    void revoke(String username, String reason, boolean revokeTokens, String keepSessionId) {
        int revoked = revokeTokens ? tokens.revokeAllOf(username, clock.instant().truncatedTo(ChronoUnit.MICROS)) : 0;
        afterCommit(() -> {
            try {
                int ended = sessions.endAll(username, keepSessionId);
                log.info("Access of {} changed ({}): {} session(s) ended, {} token(s) revoked", username, reason, ended,
                        revoked);
            } catch (RuntimeException e) {
                // the change is committed; the streams must still hear of it
                log.error("Access of {} changed ({}) but their sessions could not be ended", username, reason, e);
            }
            events.publishEvent(new UserAccessChanged(username, reason));
        });
    }

    /** One credential of the user ended (a session or a token): streams it opened must not outlive it. */
    void credentialEnded(String username, String reason) {
        afterCommit(() -> events.publishEvent(new UserAccessChanged(username, reason)));
    }

    private static void afterCommit(Runnable action) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            action.run();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                action.run();
            }
        });
    }
}
