package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class SameOriginFilterTest {
    @Test
    void theOriginMustBeTheAddressedHost() {
        assertThat(SameOriginFilter.sameOrigin(post("localhost:8080", "http://localhost:8080", null), List.of())).isTrue();
        assertThat(SameOriginFilter.sameOrigin(post("localhost:8080", "http://localhost:9090", null), List.of())).isFalse();
        assertThat(SameOriginFilter.sameOrigin(post("gantry.example", "https://gantry.example:443", null), List.of()))
                .isTrue();
        assertThat(SameOriginFilter.sameOrigin(post("gantry.example", "https://evil.example", null), List.of())).isFalse();
    }

    @Test
    void refererStandsInForAMissingOriginButNothingIsNotEnough() {
        assertThat(SameOriginFilter.sameOrigin(post("localhost:8080", null, "http://localhost:8080/engines"), List.of()))
                .isTrue();
        assertThat(SameOriginFilter.sameOrigin(post("localhost:8080", null, null), List.of())).isFalse();
        assertThat(SameOriginFilter.sameOrigin(post("localhost:8080", "null", null), List.of())).isFalse();
    }

    @Test
    void configuredOriginsAreAllowed() {
        assertThat(SameOriginFilter.sameOrigin(post("10.0.0.5:8080", "https://Gantry.Example", null),
                List.of("https://gantry.example"))).isTrue();
    }

    private static MockHttpServletRequest post(String host, String origin, String referer) {
        MockHttpServletRequest r = new MockHttpServletRequest("POST", "/api/v1/tokens");
        r.addHeader("Host", host);
        if (origin != null) {
            r.addHeader("Origin", origin);
        }
        if (referer != null) {
            r.addHeader("Referer", referer);
        }
        return r;
    }
}
