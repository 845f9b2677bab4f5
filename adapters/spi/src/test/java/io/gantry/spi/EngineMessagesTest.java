package io.gantry.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineMessagesTest {

    @Test
    void keepsAShortOneLineReason() {
        assertThat(EngineMessages.httpReason(409, "app '/web' is locked by deployment abc"))
                .isEqualTo("HTTP 409: app '/web' is locked by deployment abc");
        assertThat(EngineMessages.httpReason(502, null)).isEqualTo("HTTP 502");
        assertThat(EngineMessages.sanitize(null)).isEmpty();
    }

    @Test
    void cutsLongTextAndRemovesControlAndBidiCharacters() {
        String reason = EngineMessages.sanitize("line one\r\nline\ttwo\u0000\u001b[31m red \u202Eevil" + "x".repeat(500));

        assertThat(reason).hasSizeLessThanOrEqualTo(EngineMessages.MAX_LENGTH).endsWith("...")
                .startsWith("line one line two [31m red evil")
                .doesNotContain("\r", "\n", "\t", "\u0000", "\u001b", "\u202E");
    }

    @Test
    void dropsAnHtmlPageWhole() {
        String page = "<!DOCTYPE html><html><body><h1>Login</h1><input name=csrf value=TOKEN-123></body></html>";

        assertThat(EngineMessages.sanitize(page)).isEmpty();
        assertThat(EngineMessages.httpReason(500, page)).isEqualTo("HTTP 500");
        assertThat(EngineMessages.sanitize("expected <nil> but got 3")).isEqualTo("expected <nil> but got 3");
    }

    @Test
    void neverSplitsASurrogatePair() {
        String reason = EngineMessages.sanitize("\uD83D\uDE80".repeat(200));

        assertThat(reason).isEqualTo("\uD83D\uDE80".repeat(EngineMessages.MAX_LENGTH - 3) + "...");
    }

    @Test
    void defaultDestinationsAreTheEndpointsUrlsButNotSockets() {
        assertThat(EngineAdapter.endpointUrls("grpc://a:7443, grpc://b:7443"))
                .containsExactly(URI.create("grpc://a:7443"), URI.create("grpc://b:7443"));
        assertThat(EngineAdapter.endpointUrls("unix:///var/run/docker.sock")).isEmpty();
        assertThat(EngineAdapter.endpointUrls("in-cluster")).isEmpty();
        assertThat(EngineAdapter.endpointUrls(null)).isEqualTo(List.of());
    }
}
