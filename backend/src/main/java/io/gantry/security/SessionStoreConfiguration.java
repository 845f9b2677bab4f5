package io.gantry.security;

import org.springframework.boot.session.autoconfigure.DefaultCookieSerializerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.session.config.SessionRepositoryCustomizer;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;

/**
 * UI sessions live in PostgreSQL (Spring Session JDBC; its tables come from Flyway's V5), so that a
 * signed-in user may land on any replica.
 */
@Configuration(proxyBeanMethods = false)
class SessionStoreConfiguration {
    /**
     * Spring Session's own query, ordered. Its result reader starts a new session object whenever a row's
     * session id differs from the previous row's, and the last object read for an id wins; without an order
     * PostgreSQL may return the rows of two sessions interleaved (a hash join probing the attributes table in
     * its physical order), and a user's sessions list then showed a session without most of its attributes.
     */
    static final String SESSIONS_OF_PRINCIPAL = """
            SELECT S.PRIMARY_ID, S.SESSION_ID, S.CREATION_TIME, S.LAST_ACCESS_TIME, S.MAX_INACTIVE_INTERVAL, \
            SA.ATTRIBUTE_NAME, SA.ATTRIBUTE_BYTES
            FROM %TABLE_NAME% S
            LEFT JOIN %TABLE_NAME%_ATTRIBUTES SA ON S.PRIMARY_ID = SA.SESSION_PRIMARY_ID
            WHERE S.PRINCIPAL_NAME = ?
            ORDER BY S.SESSION_ID
            """;

    @Bean
    SessionRepositoryCustomizer<JdbcIndexedSessionRepository> sessionsOfAPrincipalInOrder() {
        return repository -> repository.setListSessionsByPrincipalNameQuery(SESSIONS_OF_PRINCIPAL);
    }

    /**
     * The cookie carries the plain session id, as the servlet container's did, not Spring Session's
     * base64 of it: an id that is no longer known still reads as the one requested, so its page says
     * the session expired (see {@link SessionExpiryFilter}).
     */
    @Bean
    DefaultCookieSerializerCustomizer plainSessionIdCookie() {
        return serializer -> serializer.setUseBase64Encoding(false);
    }
}
