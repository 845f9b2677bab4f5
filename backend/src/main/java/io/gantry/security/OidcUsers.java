package io.gantry.security;

import io.gantry.web.ConflictException;
import java.util.Collection;
import java.util.List;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.userinfo.DefaultOAuth2UserService;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserService;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;

/**
 * The last step of an OIDC sign-in, once Spring Security checked the id_token (signature against the provider's
 * JWKS, issuer, audience, expiry, nonce): reads userinfo where the provider has it, then maps the person to their
 * Gantry user ({@link OidcAccounts}). The result names the Gantry user and carries their one role authority.
 */
class OidcUsers implements OAuth2UserService<OidcUserRequest, OidcUser> {
    private final OidcUserService delegate = new OidcUserService();
    private final OidcClientRegistrations registrations;
    private final OidcAccounts accounts;

    OidcUsers(OidcClientRegistrations registrations, OidcAccounts accounts) {
        this.registrations = registrations;
        this.accounts = accounts;
        DefaultOAuth2UserService userInfo = new DefaultOAuth2UserService();
        userInfo.setRestOperations(OidcHttp.restTemplate());
        delegate.setOauth2UserService(userInfo);
    }

    /** The OIDC person as the Gantry user {@code username} with {@code provider}'s sign-in. */
    static final class SignedInUser extends DefaultOidcUser {
        private final String username;
        private final String provider;

        SignedInUser(OidcUser person, String username, Role role, String provider) {
            super(List.of(new SimpleGrantedAuthority(role.authority())), person.getIdToken(), person.getUserInfo());
            this.username = username;
            this.provider = provider;
        }

        @Override
        public String getName() {
            return username;
        }

        String provider() {
            return provider;
        }
    }

    @Override
    public OidcUser loadUser(OidcUserRequest request) throws OAuth2AuthenticationException {
        OidcUser person = delegate.loadUser(request);
        OidcProperties.Provider provider = registrations.provider(request.getClientRegistration().getRegistrationId());
        try {
            OidcAccounts.SignedIn user = accounts.signIn(provider, person.getSubject(), person.getPreferredUsername(),
                    groups(person.getClaims().get(provider.groupsClaim())));
            return new SignedInUser(person, user.username(), user.role(), provider.id());
        } catch (ConflictException e) {
            throw new OAuth2AuthenticationException(new OAuth2Error("access_denied", e.getMessage(), null), e);
        }
    }

    /** A claim of one group name or a list of them; anything else is no group. */
    static List<String> groups(Object claim) {
        if (claim instanceof String single) {
            return List.of(single);
        }
        if (claim instanceof Collection<?> many) {
            return many.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        }
        return List.of();
    }
}
