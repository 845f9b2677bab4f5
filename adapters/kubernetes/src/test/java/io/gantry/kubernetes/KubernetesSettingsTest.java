package io.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.EngineConnection;
import io.gantry.spi.tls.TestPki;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The URL and PEM checks KubernetesSettings takes from spi (EndpointRule, TlsCredentials). */
class KubernetesSettingsTest {
    private static final TestPki.Issued CA = TestPki.ca("cluster-ca");
    private static final TestPki.Issued CLIENT = TestPki.issue(CA, "admin", TestPki.ec());

    @Test
    void anApiServerBehindAProxyPrefixIsADestination() {
        EngineConnection proxied = connection("https://rancher.example/k8s/clusters/c-1", Map.of("token", "t"));
        assertThatCode(() -> KubernetesSettings.validate(proxied)).doesNotThrowAnyException();
        assertThat(KubernetesSettings.destinations(proxied)).containsExactly(URI.create("https://rancher.example/k8s/clusters/c-1"));
    }

    @Test
    void aPasswordInTheEndpointOrTheKubeconfigServerIsRefusedWithoutRepeatingIt() {
        assertThatThrownBy(() -> KubernetesSettings.validate(connection("https://admin:hunter2@10.0.0.1:6443", Map.of("token", "t"))))
                .hasMessage("endpoint: must not hold a user or password: give them as credentials");
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: c
                  cluster: {server: "https://admin:hunter2@10.0.0.1:6443"}
                users:
                - name: u
                  user: {token: abc}
                contexts:
                - name: main
                  context: {cluster: c, user: u}
                current-context: main
                """;
        assertThatThrownBy(() -> KubernetesSettings.validate(connection("", Map.of("kubeconfig", kubeconfig))))
                .hasMessage("credentials.kubeconfig: the context's cluster server must not hold a user or password: "
                        + "give them as credentials");
    }

    @Test
    void aClientCertificateReplacesTheTokenAndIsReadAtRegistration() {
        assertThatCode(() -> KubernetesSettings.validate(connection("https://10.0.0.1:6443", Map.of("caCert", CA.certPem(),
                "clientCert", CLIENT.certPem(), "clientKey", CLIENT.traditionalKeyPem())))).doesNotThrowAnyException();
        assertThatThrownBy(() -> KubernetesSettings.validate(connection("https://10.0.0.1:6443", Map.of("token", "t",
                "clientCert", CLIENT.certPem()))))
                .hasMessage("credentials.clientKey: is required with clientCert");
        assertThatThrownBy(() -> KubernetesSettings.validate(connection("https://10.0.0.1:6443", Map.of(
                "clientCert", CLIENT.certPem(), "clientKey", CA.pkcs8KeyPem()))))
                .hasMessage("credentials.clientKey: does not belong to clientCert");
    }

    private static EngineConnection connection(String endpoint, Map<String, String> credentials) {
        return new EngineConnection(UUID.randomUUID(), "k", endpoint, Map.of(), credentials, Map.of(), null);
    }
}
