package io.gantry.security;

import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.endpoint.RestClientAuthorizationCodeTokenResponseClient;
import org.springframework.security.oauth2.client.oidc.authentication.OidcAuthorizationCodeAuthenticationProvider;
import org.springframework.security.oauth2.client.oidc.authentication.OidcIdTokenDecoderFactory;
import org.springframework.security.oauth2.client.oidc.authentication.OidcIdTokenValidator;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestRedirectFilter;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.client.web.OAuth2LoginAuthenticationFilter;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;

/**
 * Sign-in with the configured identity providers, in the UI chain beside the form login: Spring Security's
 * authorization code flow ({@code /oauth2/authorization/{id}} starts it, {@code /login/oauth2/code/{id}} ends it)
 * with state, nonce and PKCE checked by Spring Security, every call to the provider under a deadline
 * ({@link OidcHttp}), the person mapped to their Gantry user ({@link OidcUsers}) and the session made ordinary
 * ({@link OidcSignInHandlers}).
 */
final class OidcLogin {
    private final OidcClientRegistrations registrations;
    private final OidcUsers users;
    private final OidcSignInHandlers handlers;

    OidcLogin(OidcClientRegistrations registrations, OidcAccounts accounts, OidcSignInHandlers handlers) {
        this.registrations = registrations;
        this.users = new OidcUsers(registrations, accounts);
        this.handlers = handlers;
    }

    boolean enabled() {
        return !registrations.providers().isEmpty();
    }

    void apply(HttpSecurity http) throws Exception {
        if (!enabled()) {
            return;
        }
        RestClientAuthorizationCodeTokenResponseClient tokens = new RestClientAuthorizationCodeTokenResponseClient();
        tokens.setRestClient(OidcHttp.tokenEndpoint());
        OidcAuthorizationCodeAuthenticationProvider codes = new OidcAuthorizationCodeAuthenticationProvider(tokens, users);
        codes.setJwtDecoderFactory(OidcLogin::idTokenDecoder);
        // The UI chain's AuthenticationManager checks passwords; this filter gets one that knows only codes.
        ProviderManager codeManager = new ProviderManager(codes);
        http.oauth2Login(login -> login.loginPage("/login")
                .clientRegistrationRepository(registrations)
                .authorizedClientRepository(new NothingKept())
                .successHandler(handlers.success())
                .failureHandler(handlers.failure())
                .withObjectPostProcessor(new ObjectPostProcessor<Object>() {
                    @Override
                    public <O> O postProcess(O filter) {
                        if (filter instanceof OAuth2LoginAuthenticationFilter callback) {
                            callback.setAuthenticationManager(codeManager);
                        } else if (filter instanceof OAuth2AuthorizationRequestRedirectFilter start) {
                            // a provider whose discovery failed: back to the login page, not a 500
                            start.setAuthenticationFailureHandler(handlers.failure());
                        }
                        return filter;
                    }
                }));
    }

    /**
     * What {@link OidcIdTokenDecoderFactory} builds (RS256, issuer, audience, expiry, the OIDC claim types), with a
     * deadline on reading the provider's JWKS.
     */
    private static JwtDecoder idTokenDecoder(ClientRegistration registration) {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(registration.getProviderDetails().getJwkSetUri())
                .jwsAlgorithm(SignatureAlgorithm.RS256)
                .restOperations(OidcHttp.restTemplate())
                .build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(new JwtTimestampValidator(),
                new OidcIdTokenValidator(registration)));
        decoder.setClaimSetConverter(OidcIdTokenDecoderFactory.createDefaultClaimTypeConverter());
        return decoder;
    }

    /** Gantry calls nothing at the provider after sign-in: keeping its access tokens would only keep a secret. */
    private static final class NothingKept implements OAuth2AuthorizedClientRepository {
        @Override
        public <T extends OAuth2AuthorizedClient> T loadAuthorizedClient(String registrationId,
                org.springframework.security.core.Authentication principal, jakarta.servlet.http.HttpServletRequest request) {
            return null;
        }

        @Override
        public void saveAuthorizedClient(OAuth2AuthorizedClient client,
                org.springframework.security.core.Authentication principal, jakarta.servlet.http.HttpServletRequest request,
                jakarta.servlet.http.HttpServletResponse response) {
        }

        @Override
        public void removeAuthorizedClient(String registrationId,
                org.springframework.security.core.Authentication principal, jakarta.servlet.http.HttpServletRequest request,
                jakarta.servlet.http.HttpServletResponse response) {
        }
    }
}
