package io.gantry.marathon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.EngineConnection;
import io.gantry.spi.tls.TestPki;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The URL and PEM checks MarathonSettings takes from spi (EndpointRule, TlsCredentials). */
class MarathonSettingsTest {
    @Test
    void endpointsKeepTheirProxyPrefixWithoutTheTrailingSlash() {
        MarathonSettings settings = MarathonSettings.from(connection("https://dcos.example/service/marathon/, http://m2:8080",
                Map.of("mesosUrl", "http://mesos.example:5050"), Map.of()));
        assertThat(settings.endpoints()).containsExactly(URI.create("https://dcos.example/service/marathon"),
                URI.create("http://m2:8080"));
        assertThat(settings.mesosUrl()).isEqualTo(URI.create("http://mesos.example:5050"));
    }

    @Test
    void aPasswordInAUrlIsRefusedWithoutRepeatingIt() {
        assertThatThrownBy(() -> MarathonSettings.from(connection("http://m:8080",
                Map.of("mesosUrl", "http://ops:hunter2@mesos:5050"), Map.of())))
                .hasMessage("options.mesosUrl: must not hold a user or password: give them as credentials");
        assertThatThrownBy(() -> MarathonSettings.from(connection("http://m1:8080,ftp://ops:hunter2@m2", Map.of(), Map.of())))
                .hasMessage("endpoint: must start with http:// or https://");
    }

    @Test
    void caCertIsABundleOfCertificatesAndNothingElse() {
        TestPki.Issued ca = TestPki.ca("marathon-ca");
        assertThat(MarathonSettings.from(connection("https://m:8443", Map.of(),
                Map.of("caCert", ca.certPem() + TestPki.ca("other").certPem()))).sslContext()).isNotNull();
        assertThat(MarathonSettings.from(connection("https://m:8443", Map.of(), Map.of())).sslContext())
                .as("the JDK's own trust").isNull();
        assertThatThrownBy(() -> MarathonSettings.from(connection("https://m:8443", Map.of(),
                Map.of("caCert", ca.certPem() + ca.pkcs8KeyPem()))))
                .hasMessage("credentials.caCert: holds a 'PRIVATE KEY' block; give PEM certificates only");
    }

    private static EngineConnection connection(String endpoint, Map<String, String> options, Map<String, String> credentials) {
        return new EngineConnection(null, "m", endpoint, null, credentials, options, null);
    }
}
