package io.gantry.security;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;

/**
 * After a form sign-in: notes in the new session where it was made from (address and browser), for
 * the user's list of their sessions, then goes where sign-in would have gone anyway.
 */
class SignInRecorder extends SavedRequestAwareAuthenticationSuccessHandler {
    private static final int MAX_USER_AGENT = 200;

    SignInRecorder() {
        setDefaultTargetUrl("/");
    }

    @Override
    public void onAuthenticationSuccess(HttpServletRequest request, HttpServletResponse response,
            Authentication authentication) throws ServletException, IOException {
        var session = request.getSession();
        session.setAttribute(UserSessions.CLIENT_ADDRESS, request.getRemoteAddr());
        String agent = request.getHeader(HttpHeaders.USER_AGENT);
        if (agent != null) {
            session.setAttribute(UserSessions.USER_AGENT,
                    agent.length() > MAX_USER_AGENT ? agent.substring(0, MAX_USER_AGENT) : agent);
        }
        super.onAuthenticationSuccess(request, response, authentication);
    }
}
