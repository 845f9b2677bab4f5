package io.gantry.security;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gantry.security.*}.
 *
 * @param sessionAbsoluteTimeout a session ends this long after sign-in, however active it is
 * @param allowedOrigins extra origins (scheme://host[:port]) whose pages may post with the session
 *     cookie, for a reverse proxy that rewrites the Host header
 * @param tokenMaxAge how long an API token from {@code POST /api/v1/tokens} lives when its creator
 *     names no expiry, and the longest a non-administrator may ask for
 */
@ConfigurationProperties("gantry.security")
record GantrySecurityProperties(@DefaultValue("12h") Duration sessionAbsoluteTimeout,
        @DefaultValue List<String> allowedOrigins,
        @DefaultValue("90d") Duration tokenMaxAge) {
}
