package io.gantry.security;

import java.time.Duration;
import java.util.List;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.http.converter.FormHttpMessageConverter;
import org.springframework.security.oauth2.client.http.OAuth2ErrorResponseErrorHandler;
import org.springframework.security.oauth2.core.http.converter.OAuth2AccessTokenResponseHttpMessageConverter;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * Every call Gantry makes to an identity provider (discovery, token, JWKS, userinfo) with a deadline: Spring
 * Security's defaults have none, and a provider that stops answering would hold a sign-in request thread forever.
 */
final class OidcHttp {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private OidcHttp() {
    }

    static SimpleClientHttpRequestFactory requestFactory() {
        SimpleClientHttpRequestFactory factory = new SimpleClientHttpRequestFactory();
        factory.setConnectTimeout(CONNECT_TIMEOUT);
        factory.setReadTimeout(READ_TIMEOUT);
        return factory;
    }

    /** For discovery: plain JSON. */
    static RestClient plain() {
        return RestClient.builder().requestFactory(requestFactory()).build();
    }

    /** For the token endpoint: what Spring Security's token response client uses by default, plus the deadline. */
    static RestClient tokenEndpoint() {
        return RestClient.builder()
                .requestFactory(requestFactory())
                .messageConverters(List.of(new FormHttpMessageConverter(), new OAuth2AccessTokenResponseHttpMessageConverter()))
                .defaultStatusHandler(new OAuth2ErrorResponseErrorHandler())
                .build();
    }

    /** For JWKS and userinfo (their clients take a RestOperations). */
    static RestTemplate restTemplate() {
        RestTemplate rest = new RestTemplate(requestFactory());
        rest.setErrorHandler(new OAuth2ErrorResponseErrorHandler());
        return rest;
    }
}
