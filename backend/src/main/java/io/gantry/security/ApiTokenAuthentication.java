package io.gantry.security;

import java.util.List;
import java.util.UUID;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A request authenticated by a bearer token. {@link #getName()} is the token's user, like for a
 * session login, so that code downstream identifies the caller the same way whatever the mechanism.
 */
final class ApiTokenAuthentication extends AbstractAuthenticationToken {
    private final String username;
    private final UUID tokenId;
    private final Role role;

    ApiTokenAuthentication(String username, UUID tokenId, Role role) {
        super(List.of(new SimpleGrantedAuthority(role.authority())));
        this.username = username;
        this.tokenId = tokenId;
        this.role = role;
        setAuthenticated(true);
    }

    @Override
    public Object getCredentials() {
        return null;
    }

    @Override
    public Object getPrincipal() {
        return username;
    }

    @Override
    public String getName() {
        return username;
    }

    UUID tokenId() {
        return tokenId;
    }

    Role role() {
        return role;
    }
}
