package io.gantry.security;

import io.gantry.web.NotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * Browser sessions: {@code /api/v1/auth/sessions} for one's own, {@code /api/v1/users/{username}/sessions}
 * for an administrator (access in {@link AccessRules}). Ending a session also tells whoever holds
 * streams for that user ({@link UserAccessChanged}).
 */
@RestController
class SessionApiController {
    private final UserSessions sessions;
    private final UserAccounts users;
    private final AccessRevocation revocation;

    SessionApiController(UserSessions sessions, UserAccounts users, AccessRevocation revocation) {
        this.sessions = sessions;
        this.users = users;
        this.revocation = revocation;
    }

    record SessionPage(List<UserSessions.SessionView> items, long total, String nextCursor) {
        static SessionPage of(List<UserSessions.SessionView> items) {
            return new SessionPage(items, items.size(), null);
        }
    }

    @GetMapping("/api/v1/auth/sessions")
    SessionPage own(Authentication caller, HttpServletRequest http) {
        return SessionPage.of(sessions.list(caller.getName(), AuthApiController.actor(caller, http).sessionId()));
    }

    /** Ends one of the caller's sessions; their current one too, which is signing out. */
    @DeleteMapping("/api/v1/auth/sessions/{id}")
    ResponseEntity<Void> end(@PathVariable String id, Authentication caller, HttpServletRequest http) {
        if (!sessions.end(caller.getName(), id)) {
            throw new NotFoundException("No session " + id + " of yours.");
        }
        HttpSession current = http.getSession(false);
        if (current != null && UserSessions.publicId(current.getId()).equals(id)) {
            current.invalidate();
        }
        revocation.credentialEnded(caller.getName(), "session ended");
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/api/v1/users/{username}/sessions")
    SessionPage ofUser(@PathVariable String username) {
        users.get(username);
        return SessionPage.of(sessions.list(username, null));
    }

    /** Signs the user out everywhere, without changing what they may do. */
    @DeleteMapping("/api/v1/users/{username}/sessions")
    ResponseEntity<Void> endAllOfUser(@PathVariable String username) {
        users.get(username);
        sessions.endAll(username, null);
        revocation.credentialEnded(username, "sessions ended by an administrator");
        return ResponseEntity.noContent().build();
    }
}
