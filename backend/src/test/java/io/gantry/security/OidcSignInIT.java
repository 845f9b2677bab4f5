package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.support.OidcProvider;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Sign-in through the real OIDC provider, walked redirect by redirect with a plain HTTP client: the authorization
 * request (state, nonce, PKCE), the provider's login form, the callback, and the Gantry session it ends in.
 */
class OidcSignInIT extends OidcIntegrationTest {
    @Autowired
    JdbcTemplate db;

    @Test
    void aFirstSignInCreatesTheUserWithTheRoleOfTheirGroupsInAnOrdinarySession() {
        OidcProvider.get().setUser("carol", "pw-carol", List.of("gantry-ops", "dev"));
        OidcBrowserFlow browser = new OidcBrowserFlow();

        String authorization = browser.start(site(), PROVIDER);
        Map<String, String> asked = query(authorization);
        assertThat(authorization).startsWith(OidcProvider.get().issuer + "/oauth2/authorize?");
        assertThat(asked).containsKeys("state", "nonce", "code_challenge")
                .containsEntry("code_challenge_method", "S256")
                .containsEntry("response_type", "code")
                .containsEntry("client_id", OidcProvider.CLIENT_ID)
                .containsEntry("redirect_uri", site() + "/login/oauth2/code/" + PROVIDER);
        assertThat(asked.get("scope").split(" ")).contains("openid");

        String callback = browser.signInAtProvider(authorization, "carol", "pw-carol");
        assertThat(callback).startsWith(site() + "/login/oauth2/code/" + PROVIDER + "?");
        assertThat(query(callback)).containsEntry("state", asked.get("state")).containsKey("code");
        assertThat(OidcBrowserFlow.location(browser.get(callback))).isEqualTo(site() + "/");

        JsonNode me = me(browser);
        assertThat(me.get("username").asString()).isEqualTo("carol");
        assertThat(me.get("role").asString()).isEqualTo("OPERATOR");
        assertThat(me.get("authenticatedBy").asString()).isEqualTo("session");
        assertThat(db.queryForObject("SELECT role FROM users WHERE username = 'carol'", String.class)).isEqualTo("OPERATOR");
        assertThat(db.queryForObject("SELECT issuer FROM oidc_identities WHERE username = 'carol'", String.class))
                .isEqualTo(OidcProvider.get().issuer);
        assertThat(groups("carol")).containsExactly("dev", "gantry-ops");

        // an ordinary session: listed with where it came from, CSRF on changes, and it makes API tokens
        JsonNode sessions = json(browser.get(site() + "/api/v1/auth/sessions"));
        assertThat(sessions.get("items").size()).isEqualTo(1);
        assertThat(sessions.get("items").get(0).get("clientAddress").asString()).isEqualTo("127.0.0.1");
        assertThat(browser.send("POST", site() + "/api/v1/tokens", "{\"name\":\"no-csrf\"}", Map.of("Origin", site()))
                .statusCode()).isEqualTo(403);
        HttpResponse<String> token = browser.send("POST", site() + "/api/v1/tokens", "{\"name\":\"carol-ci\"}",
                Map.of("Origin", site(), me.get("csrfHeader").asString(), me.get("csrfToken").asString()));
        assertThat(token.statusCode()).as(token.body()).isEqualTo(201);
        HttpCaller api = new HttpCaller(port);
        assertThat(api.get("/api/v1/auth/me", json(token).get("token").asString()).json().get("username").asString())
                .isEqualTo("carol");

        assertThat(db.queryForObject("SELECT count(*) FROM audit_log WHERE username = 'carol' AND action = ? "
                + "AND target = ? AND status = 302", Long.class, "GET /login/oauth2/code/{provider}", PROVIDER))
                .isEqualTo(1);
    }

    @Test
    void theNextSignInReusesTheIdentityAndTheirGroupsSetTheirRoleAgain() {
        OidcProvider.get().setUser("dave", "pw-dave", List.of("gantry-admins"));
        OidcBrowserFlow first = new OidcBrowserFlow();
        first.signIn(site(), PROVIDER, "dave", "pw-dave");
        assertThat(me(first).get("role").asString()).isEqualTo("ADMIN");

        OidcProvider.get().setUser("dave", "pw-dave", List.of("dev", "qa"));
        OidcBrowserFlow second = new OidcBrowserFlow();
        second.signIn(site(), PROVIDER, "dave", "pw-dave");
        JsonNode me = me(second);
        assertThat(me.get("username").asString()).isEqualTo("dave");
        assertThat(me.get("role").asString()).as("no rule matches: the default role").isEqualTo("VIEWER");
        assertThat(db.queryForObject("SELECT count(*) FROM oidc_identities WHERE username LIKE 'dave%'", Long.class))
                .isEqualTo(1);
        assertThat(db.queryForObject("SELECT count(*) FROM users WHERE username LIKE 'dave%'", Long.class)).isEqualTo(1);
        assertThat(groups("dave")).containsExactly("dev", "qa");
        assertThat(first.get(site() + "/api/v1/auth/me").statusCode())
                .as("the demotion ended the session that had the old role").isEqualTo(401);
    }

    @Test
    void aLocalUsersNameIsNeverTakenOver() {
        userToken("erin", "VIEWER");
        OidcProvider.get().setUser("erin", "pw-erin", List.of("gantry-admins"));
        OidcBrowserFlow browser = new OidcBrowserFlow();
        browser.signIn(site(), PROVIDER, "erin", "pw-erin");
        JsonNode me = me(browser);
        assertThat(me.get("username").asString()).isEqualTo("erin-2");
        assertThat(me.get("role").asString()).isEqualTo("ADMIN");
        assertThat(db.queryForObject("SELECT role FROM users WHERE username = 'erin'", String.class)).isEqualTo("VIEWER");
    }

    @Test
    void aCallbackWithAnotherStateOrInAnotherBrowserIsRefused() {
        OidcProvider.get().setUser("frank", "pw-frank", List.of());
        OidcBrowserFlow browser = new OidcBrowserFlow();
        String callback = browser.signInAtProvider(browser.start(site(), PROVIDER), "frank", "pw-frank");
        String forged = callback.replaceFirst("([?&])state=", "$1state=forged-");
        assertThat(forged).isNotEqualTo(callback);
        assertThat(OidcBrowserFlow.location(browser.get(forged))).isEqualTo(site() + "/login?oidcError");
        assertThat(browser.get(site() + "/api/v1/auth/me").statusCode()).isEqualTo(401);

        OidcBrowserFlow attacker = new OidcBrowserFlow();
        assertThat(OidcBrowserFlow.location(attacker.get(callback))).as("the code and state in a browser that did not "
                + "start the sign-in").isEqualTo(site() + "/login?oidcError");
        assertThat(db.queryForObject("SELECT count(*) FROM users WHERE username = 'frank'", Long.class)).isZero();

        // the real state still works: the refusals were about the state alone
        assertThat(OidcBrowserFlow.location(browser.get(callback))).isEqualTo(site() + "/");
        assertThat(me(browser).get("username").asString()).isEqualTo("frank");
    }

    @Test
    void aProviderThatIsDownSendsBackToTheLoginPage() {
        OidcBrowserFlow browser = new OidcBrowserFlow();
        assertThat(browser.get(site() + "/login").body()).contains("Sign in with Down IdP", "Sign in with Test IdP");
        assertThat(OidcBrowserFlow.location(browser.get(site() + "/oauth2/authorization/" + DOWN)))
                .isEqualTo(site() + "/login?oidcError");
        assertThat(OidcBrowserFlow.location(browser.get(site() + "/oauth2/authorization/no-such-provider")))
                .isEqualTo(site() + "/login?oidcError");
    }

    @Test
    void aDisabledUserCannotSignInAgain() {
        OidcProvider.get().setUser("gina", "pw-gina", List.of());
        new OidcBrowserFlow().signIn(site(), PROVIDER, "gina", "pw-gina");
        assertThat(api().put("/api/v1/users/gina", Map.of("disabled", true)).status()).isEqualTo(200);
        assertThat(new OidcBrowserFlow().signIn(site(), PROVIDER, "gina", "pw-gina"))
                .isEqualTo(site() + "/login?oidcError");
    }

    /**
     * The id_token the provider issues carries the nonce it was asked for (and the groups): signed in here as a
     * client of our own, as Gantry's nonce check cannot be seen from outside.
     */
    @Test
    void theProvidersIdTokenCarriesTheNonceAndTheGroups() {
        OidcProvider provider = OidcProvider.get().setUser("hank", "pw-hank", List.of("gantry-ops"));
        String verifier = "v".repeat(50) + System.nanoTime();
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier));
        String redirect = "http://127.0.0.1:8080/login/oauth2/code/" + PROVIDER;
        OidcBrowserFlow client = new OidcBrowserFlow();
        String callback = client.signInAtProvider(provider.issuer + "/oauth2/authorize?response_type=code&client_id="
                + OidcProvider.CLIENT_ID + "&scope=openid&state=s1&nonce=n-123&code_challenge_method=S256"
                + "&code_challenge=" + challenge + "&redirect_uri=" + OidcBrowserFlow.enc(redirect), "hank", "pw-hank");
        String code = query(callback).get("code");
        String form = "grant_type=authorization_code&code=" + OidcBrowserFlow.enc(code) + "&redirect_uri="
                + OidcBrowserFlow.enc(redirect) + "&code_verifier=" + verifier;
        Map<String, String> clientAuth = Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                (OidcProvider.CLIENT_ID + ":" + OidcProvider.CLIENT_SECRET).getBytes(StandardCharsets.UTF_8)));
        assertThat(client.postForm(provider.issuer + "/oauth2/token", form.replace(verifier, "x" + verifier), clientAuth)
                .statusCode()).as("PKCE: a wrong code_verifier is refused").isEqualTo(400);
        callback = client.signInAtProvider(provider.issuer + "/oauth2/authorize?response_type=code&client_id="
                + OidcProvider.CLIENT_ID + "&scope=openid&state=s2&nonce=n-123&code_challenge_method=S256"
                + "&code_challenge=" + challenge + "&redirect_uri=" + OidcBrowserFlow.enc(redirect), "hank", "pw-hank");
        form = "grant_type=authorization_code&code=" + OidcBrowserFlow.enc(query(callback).get("code")) + "&redirect_uri="
                + OidcBrowserFlow.enc(redirect) + "&code_verifier=" + verifier;
        HttpResponse<String> tokens = client.postForm(provider.issuer + "/oauth2/token", form, clientAuth);
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        String idToken = json(tokens).get("id_token").asString();
        JsonNode claims = HttpCaller.JSON.readTree(Base64.getUrlDecoder().decode(idToken.split("\\.")[1]));
        assertThat(claims.get("nonce").asString()).isEqualTo("n-123");
        assertThat(claims.get("iss").asString()).isEqualTo(provider.issuer);
        assertThat(claims.get("groups").get(0).asString()).isEqualTo("gantry-ops");
    }

    private JsonNode me(OidcBrowserFlow browser) {
        HttpResponse<String> me = browser.get(site() + "/api/v1/auth/me");
        assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
        return json(me);
    }

    private List<String> groups(String username) {
        return db.queryForList("SELECT group_name FROM user_groups WHERE username = ? ORDER BY group_name", String.class,
                username);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return HttpCaller.JSON.readTree(response.body());
    }

    static Map<String, String> query(String url) {
        return Arrays.stream(URI.create(url).getRawQuery().split("&")).map(p -> p.split("=", 2))
                .collect(Collectors.toMap(p -> p[0], p -> URLDecoder.decode(p.length > 1 ? p[1] : "", StandardCharsets.UTF_8)));
    }

    private static byte[] sha256(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
