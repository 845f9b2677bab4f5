package io.gantry.security;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.IdTokenClaimNames;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * The configured providers as Spring Security's client registrations, each completed from the provider's discovery
 * document (OpenID Connect Discovery 1.0) the first time someone signs in with it, not at start: Gantry starts, and
 * its password sign-in and API work, while an identity provider is down. A failed discovery is tried again at the
 * next sign-in; a successful one is kept until restart.
 */
@Component
class OidcClientRegistrations implements ClientRegistrationRepository {
    private static final Logger log = LoggerFactory.getLogger(OidcClientRegistrations.class);
    private static final String DISCOVERY = "/.well-known/openid-configuration";

    private final OidcProperties properties;
    private final RestClient http = OidcHttp.plain();
    private final Map<String, ClientRegistration> discovered = new ConcurrentHashMap<>();

    OidcClientRegistrations(OidcProperties properties) {
        this.properties = properties;
    }

    List<OidcProperties.Provider> providers() {
        return properties.list();
    }

    OidcProperties.Provider provider(String id) {
        return properties.list().stream().filter(p -> p.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no OIDC provider " + id));
    }

    /** Null for an id no provider has; throws when the provider's discovery document cannot be read. */
    @Override
    public ClientRegistration findByRegistrationId(String registrationId) {
        if (properties.list().stream().noneMatch(p -> p.id().equals(registrationId))) {
            return null;
        }
        return discovered.computeIfAbsent(registrationId, id -> discover(provider(id)));
    }

    private ClientRegistration discover(OidcProperties.Provider provider) {
        String issuer = provider.issuerUri().replaceAll("/+$", "");
        Map<String, Object> metadata = http.get().uri(issuer + DISCOVERY).retrieve()
                .body(new ParameterizedTypeReference<Map<String, Object>>() { });
        if (metadata == null || !provider.issuerUri().equals(metadata.get("issuer"))) {
            // Discovery 1.0 section 4.3: the document must name exactly the issuer it was fetched for
            throw new IllegalStateException("the discovery document of " + provider.id() + " names the issuer "
                    + (metadata == null ? null : metadata.get("issuer")) + ", not " + provider.issuerUri());
        }
        Set<String> scopes = new LinkedHashSet<>(List.of("openid"));
        scopes.addAll(provider.scopes());
        ClientRegistration registration = ClientRegistration.withRegistrationId(provider.id())
                .clientName(provider.displayName())
                .clientId(provider.clientId())
                .clientSecret(provider.clientSecret())
                .clientAuthenticationMethod(authenticationMethod(provider, metadata))
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri("{baseUrl}/login/oauth2/code/{registrationId}")
                .scope(scopes)
                .authorizationUri(string(metadata, "authorization_endpoint"))
                .tokenUri(string(metadata, "token_endpoint"))
                .jwkSetUri(string(metadata, "jwks_uri"))
                .userInfoUri((String) metadata.get("userinfo_endpoint"))
                .userNameAttributeName(IdTokenClaimNames.SUB)
                .issuerUri(provider.issuerUri())
                .providerConfigurationMetadata(metadata)
                // PKCE also for a confidential client (RFC 9700, section 2.1.1)
                .clientSettings(ClientRegistration.ClientSettings.builder().requireProofKey(true).build())
                .build();
        log.info("Read the discovery document of OIDC provider {} ({})", provider.id(), provider.issuerUri());
        return registration;
    }

    /** client_secret_basic unless the provider only takes client_secret_post; none for a public client. */
    @SuppressWarnings("unchecked")
    private static ClientAuthenticationMethod authenticationMethod(OidcProperties.Provider provider,
            Map<String, Object> metadata) {
        if (provider.clientSecret().isEmpty()) {
            return ClientAuthenticationMethod.NONE;
        }
        Object supported = metadata.get("token_endpoint_auth_methods_supported");
        if (supported instanceof List<?> methods && !methods.contains("client_secret_basic")
                && methods.contains("client_secret_post")) {
            return ClientAuthenticationMethod.CLIENT_SECRET_POST;
        }
        return ClientAuthenticationMethod.CLIENT_SECRET_BASIC;
    }

    private static String string(Map<String, Object> metadata, String name) {
        if (!(metadata.get(name) instanceof String value) || value.isBlank()) {
            throw new IllegalStateException("the discovery document has no " + name);
        }
        return value;
    }
}
