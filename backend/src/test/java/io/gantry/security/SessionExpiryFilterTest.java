package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockHttpSession;

class SessionExpiryFilterTest {
    private static final Duration IDLE = Duration.ofMinutes(30);
    private static final Duration ABSOLUTE = Duration.ofHours(12);
    private static final Instant SIGN_IN = Instant.parse("2026-11-28T08:00:00Z");

    private final SessionExpiryFilter filter = filterAt(SIGN_IN);

    @Test
    void aSessionUsedRegularlyLivesUntilTheAbsoluteLimit() {
        Instant lastUse = SIGN_IN.plus(Duration.ofHours(11).plusMinutes(50));

        assertThat(filter.expired(SIGN_IN, lastUse, SIGN_IN.plus(Duration.ofHours(11).plusMinutes(59)))).isFalse();
        assertThat(filter.expired(SIGN_IN, lastUse, SIGN_IN.plus(ABSOLUTE))).isTrue();
    }

    @Test
    void aSessionIdleFor30MinutesEnds() {
        Instant lastUse = SIGN_IN.plus(Duration.ofHours(2));

        assertThat(filter.expired(SIGN_IN, lastUse, lastUse.plus(IDLE).minusSeconds(1))).isFalse();
        assertThat(filter.expired(SIGN_IN, lastUse, lastUse.plus(IDLE))).isTrue();
    }

    @Test
    void theFilterInvalidatesAnOldSessionBeforeTheRequestGoesOn() throws Exception {
        MockHttpSession session = new MockHttpSession();
        Instant created = Instant.ofEpochMilli(session.getCreationTime());
        // idle limit out of the way: only the session's age can end it
        SessionExpiryFilter atNoon = new SessionExpiryFilter(Duration.ofDays(2), ABSOLUTE,
                Clock.fixed(created.plus(ABSOLUTE).plusSeconds(1), ZoneOffset.UTC));
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/workloads");
        request.setSession(session);
        MockFilterChain chain = new MockFilterChain();

        atNoon.doFilter(request, new MockHttpServletResponse(), chain);

        assertThat(session.isInvalid()).isTrue();
        assertThat(request.getAttribute(SessionExpiryFilter.EXPIRED)).isEqualTo(Boolean.TRUE);
        assertThat(chain.getRequest()).as("the request continues, now without a session").isNotNull();
    }

    @Test
    void theFilterKeepsAFreshSession() throws Exception {
        MockHttpSession session = new MockHttpSession();
        Instant created = Instant.ofEpochMilli(session.getCreationTime());
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");
        request.setSession(session);

        filterAt(created.plus(Duration.ofMinutes(29))).doFilter(request, new MockHttpServletResponse(),
                new MockFilterChain());

        assertThat(session.isInvalid()).isFalse();
        assertThat(request.getAttribute(SessionExpiryFilter.EXPIRED)).isNull();
    }

    @Test
    void aSessionTheContainerAlreadyDroppedIsReportedAsExpired() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");
        request.setRequestedSessionId("gone");
        request.setRequestedSessionIdValid(false);

        filter.doFilter(request, new MockHttpServletResponse(), new MockFilterChain());

        assertThat(request.getAttribute(SessionExpiryFilter.EXPIRED)).isEqualTo(Boolean.TRUE);
    }

    private static SessionExpiryFilter filterAt(Instant now) {
        return new SessionExpiryFilter(IDLE, ABSOLUTE, Clock.fixed(now, ZoneOffset.UTC));
    }
}
