package io.gantry.security;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.stereotype.Service;

/**
 * A user's signed-in browser sessions, as Spring Session JDBC keeps them (found by the principal-name
 * index, {@code spring_session_ix3}). Ending one deletes it from the store, so it ends on every replica
 * at its next request. Sessions are named by a hash of their id: the id itself is the cookie's secret.
 */
@Service
class UserSessions {
    /** Session attributes written at sign-in ({@link SignInRecorder}), shown in the list. */
    static final String CLIENT_ADDRESS = "gantry.clientAddress";
    static final String USER_AGENT = "gantry.userAgent";
    private static final int PUBLIC_ID_LENGTH = 32;

    private final FindByIndexNameSessionRepository<? extends Session> sessions;
    private final GantrySecurityProperties properties;
    private final Clock clock = Clock.systemUTC();

    UserSessions(FindByIndexNameSessionRepository<? extends Session> sessions, GantrySecurityProperties properties) {
        this.sessions = sessions;
        this.properties = properties;
    }

    /** One session as its user sees it; {@code id} is the public id, never the cookie's. */
    record SessionView(String id, Instant createdAt, Instant lastUsedAt, String clientAddress, String userAgent,
            boolean current) {
    }

    /** Newest use first; {@code currentSessionId} (may be null) marks the caller's own. */
    List<SessionView> list(String username, String currentSessionId) {
        Instant now = clock.instant();
        return live(username).values().stream()
                .filter(s -> now.isBefore(s.getCreationTime().plus(properties.sessionAbsoluteTimeout())))
                .map(s -> new SessionView(publicId(s.getId()), s.getCreationTime(), s.getLastAccessedTime(),
                        s.getAttribute(CLIENT_ADDRESS), s.getAttribute(USER_AGENT), s.getId().equals(currentSessionId)))
                .sorted(Comparator.comparing(SessionView::lastUsedAt).reversed())
                .toList();
    }

    /** Ends the user's session with this public id; false when they have none such. */
    boolean end(String username, String publicId) {
        for (String id : live(username).keySet()) {
            if (publicId(id).equals(publicId)) {
                sessions.deleteById(id);
                return true;
            }
        }
        return false;
    }

    /** Ends all the user's sessions but {@code keepSessionId} (may be null); returns how many ended. */
    int endAll(String username, String keepSessionId) {
        int ended = 0;
        for (String id : live(username).keySet()) {
            if (!id.equals(keepSessionId)) {
                sessions.deleteById(id);
                ended++;
            }
        }
        return ended;
    }

    static String publicId(String sessionId) {
        return TokenSecrets.hash(sessionId).substring(0, PUBLIC_ID_LENGTH);
    }

    private Map<String, ? extends Session> live(String username) {
        return sessions.findByPrincipalName(username);
    }
}
