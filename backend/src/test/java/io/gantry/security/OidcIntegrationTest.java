package io.gantry.security;

import io.gantry.support.IntegrationTest;
import io.gantry.support.OidcProvider;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Gantry with the real test OIDC provider configured as {@code idp} ("Test IdP"): members of {@code gantry-admins}
 * become ADMIN, of {@code gantry-ops} OPERATOR, of {@code shop-devs} NONE (grants only), anyone else VIEWER; and {@code down}, a provider that never answers. The provider runs before the context starts, so
 * its issuer is known to the configuration; every subclass shares this one context (and the provider).
 */
abstract class OidcIntegrationTest extends IntegrationTest {
    static final String PROVIDER = "idp";
    static final String DOWN = "down";

    @DynamicPropertySource
    static void oidcProvider(DynamicPropertyRegistry registry) {
        OidcProvider provider = OidcProvider.get();
        String p = "gantry.oidc.providers[0].";
        registry.add(p + "id", () -> PROVIDER);
        registry.add(p + "name", () -> "Test IdP");
        registry.add(p + "issuer-uri", () -> provider.issuer);
        registry.add(p + "client-id", () -> OidcProvider.CLIENT_ID);
        registry.add(p + "client-secret", () -> OidcProvider.CLIENT_SECRET);
        registry.add(p + "role-rules[0].group", () -> "gantry-admins");
        registry.add(p + "role-rules[0].role", () -> "ADMIN");
        registry.add(p + "role-rules[1].group", () -> "gantry-ops");
        registry.add(p + "role-rules[1].role", () -> "OPERATOR");
        // a team's developers: no role of their own, only what their team's grants give (OidcTeamScopeBrowserIT)
        registry.add(p + "role-rules[2].group", () -> "shop-devs");
        registry.add(p + "role-rules[2].role", () -> "NONE");
        registry.add(p + "default-role", () -> "VIEWER");
        // a provider that is down (nothing listens on port 1): Gantry starts all the same
        registry.add("gantry.oidc.providers[1].id", () -> DOWN);
        registry.add("gantry.oidc.providers[1].name", () -> "Down IdP");
        registry.add("gantry.oidc.providers[1].issuer-uri", () -> "http://127.0.0.1:1");
        registry.add("gantry.oidc.providers[1].client-id", () -> "nobody");
    }

    /** Gantry as the browser must reach it: the provider takes loopback redirect URIs on an IP literal only. */
    String site() {
        return "http://127.0.0.1:" + port;
    }
}
