package io.gantry.security;

import org.springframework.boot.session.autoconfigure.DefaultCookieSerializerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * UI sessions live in PostgreSQL (Spring Session JDBC; its tables come from Flyway's V5), so that a
 * signed-in user may land on any replica.
 */
@Configuration(proxyBeanMethods = false)
class SessionStoreConfiguration {
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
