package io.gantry.security;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gantry.oidc.*}: the identity providers users may sign in with (none by default).
 *
 * @param providers each shown on the login page as "Sign in with {@code name}"
 */
@ConfigurationProperties("gantry.oidc")
record OidcProperties(@DefaultValue List<Provider> providers) {

    OidcProperties {
        for (Provider p : providers) {
            if (p.id() == null || !p.id().matches("[a-z0-9][a-z0-9-]{0,63}")) {
                throw new IllegalStateException("gantry.oidc.providers[].id must be 1-64 lower-case letters, digits or -"
                        + " (it is part of the redirect URI): " + p.id());
            }
            if (p.issuerUri() == null || p.clientId() == null) {
                throw new IllegalStateException("gantry.oidc.providers[" + p.id() + "] needs issuer-uri and client-id");
            }
            if (providers.stream().filter(q -> q.id().equals(p.id())).count() > 1) {
                throw new IllegalStateException("two OIDC providers have the id " + p.id());
            }
        }
    }

    /**
     * @param id           in the redirect URI {@code {baseUrl}/login/oauth2/code/{id}} registered at the provider
     * @param name         shown on the login page
     * @param issuerUri    the provider's issuer: discovery reads {@code {issuerUri}/.well-known/openid-configuration}
     * @param clientSecret empty for a public client
     * @param scopes       asked for; {@code openid} is always among them
     * @param groupsClaim  the claim of the id_token (or userinfo) that lists the user's groups
     * @param roleRules    the first rule whose group the user is in gives their role
     * @param defaultRole  the role of a user no rule matches
     */
    record Provider(String id, String name, String issuerUri, String clientId, @DefaultValue("") String clientSecret,
            @DefaultValue({"openid", "profile", "email"}) List<String> scopes, @DefaultValue("groups") String groupsClaim,
            @DefaultValue List<RoleRule> roleRules, @DefaultValue("VIEWER") Role defaultRole) {

        String displayName() {
            return name == null || name.isBlank() ? id : name;
        }

        Role roleFor(List<String> groups) {
            return roleRules.stream().filter(r -> groups.contains(r.group())).map(RoleRule::role).findFirst()
                    .orElse(defaultRole);
        }
    }

    record RoleRule(String group, Role role) {
    }

    List<Provider> list() {
        return providers;
    }
}
