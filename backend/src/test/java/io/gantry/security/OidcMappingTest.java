package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules that turn a provider's person into a Gantry user: name, role, groups, and the discovery checks. */
class OidcMappingTest {
    private static OidcProperties.Provider provider(String issuer, List<OidcProperties.RoleRule> rules) {
        return new OidcProperties.Provider("idp", "IdP", issuer, "client", "secret", List.of("openid"), "groups", rules,
                Role.VIEWER);
    }

    @Test
    void aPreferredUsernameIsMadeToFitTheUsernameRule() {
        assertThat(OidcAccounts.sanitize("Alice.Smith@example.com")).isEqualTo("Alice.Smith@example.com");
        assertThat(OidcAccounts.sanitize("  _josé dupont ")).isEqualTo("jos--dupont");
        assertThat(OidcAccounts.sanitize("---")).isEqualTo("user");
        assertThat(OidcAccounts.sanitize("x".repeat(80))).hasSize(64);
        for (String wanted : List.of("Alice.Smith@example.com", "  _josé dupont ", "---", "x".repeat(80), "ü")) {
            assertThat(OidcAccounts.sanitize(wanted)).matches(UserApiController.USERNAME);
        }
    }

    @Test
    void theFirstMatchingRuleGivesTheRoleElseTheDefault() {
        OidcProperties.Provider p = provider("http://issuer", List.of(new OidcProperties.RoleRule("ops", Role.OPERATOR),
                new OidcProperties.RoleRule("admins", Role.ADMIN)));
        assertThat(p.roleFor(List.of("admins", "ops"))).as("rule order, not group order").isEqualTo(Role.OPERATOR);
        assertThat(p.roleFor(List.of("admins"))).isEqualTo(Role.ADMIN);
        assertThat(p.roleFor(List.of("dev"))).isEqualTo(Role.VIEWER);
        assertThat(p.roleFor(List.of())).isEqualTo(Role.VIEWER);
    }

    @Test
    void theGroupsClaimMayBeOneNameOrAList() {
        assertThat(OidcUsers.groups("ops")).containsExactly("ops");
        assertThat(OidcUsers.groups(List.of("ops", 3, "dev"))).containsExactly("ops", "dev");
        assertThat(OidcUsers.groups(null)).isEmpty();
    }

    @Test
    void aDiscoveryDocumentForAnotherIssuerIsRefused() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/.well-known/openid-configuration", exchange -> {
            byte[] body = ("{\"issuer\":\"http://evil.example\",\"authorization_endpoint\":\"http://a\","
                    + "\"token_endpoint\":\"http://t\",\"jwks_uri\":\"http://j\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String issuer = "http://127.0.0.1:" + server.getAddress().getPort();
            OidcClientRegistrations registrations = new OidcClientRegistrations(
                    new OidcProperties(List.of(provider(issuer, List.of()))));
            assertThat(registrations.findByRegistrationId("other")).isNull();
            assertThatThrownBy(() -> registrations.findByRegistrationId("idp"))
                    .hasMessageContaining("names the issuer http://evil.example");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void providerIdsMustFitTheRedirectUri() {
        assertThatThrownBy(() -> new OidcProperties(List.of(new OidcProperties.Provider("Bad Id", null, "http://i", "c",
                "", List.of(), "groups", List.of(), Role.VIEWER)))).hasMessageContaining("lower-case");
    }
}
