package io.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.EngineAdapter;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.HostileDocuments;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.ManifestLimits;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Registration checks, without network I/O: each names the bad field. */
class KubernetesEngineAdapterTest {
    private static final String KUBECONFIG = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster: {server: "https://10.0.0.1:6443"}
            users:
            - name: u
              user: {token: abc}
            contexts:
            - name: main
              context: {cluster: c, user: u}
            """;
    private final KubernetesEngineAdapter adapter = new KubernetesEngineAdapter();

    @Test
    void registeredForServiceLoader() {
        assertThat(ServiceLoader.load(EngineAdapter.class).stream().map(ServiceLoader.Provider::get)
                .filter(a -> a.kind().equals("kubernetes")).findFirst()).get().isInstanceOf(KubernetesEngineAdapter.class);
    }

    @Test
    void urlWithTokenOrKubeconfigIsValid() {
        assertThatCode(() -> adapter.validate(connection("https://10.0.0.1:6443", Map.of("token", "t"), Map.of())))
                .doesNotThrowAnyException();
        assertThatCode(() -> adapter.validate(connection("", Map.of("kubeconfig", KUBECONFIG), Map.of("context", "main"))))
                .doesNotThrowAnyException();
    }

    @Test
    void eachProblemNamesItsField() {
        assertField(connection("ftp://x", Map.of("token", "t"), Map.of()), "endpoint");
        if (System.getenv("KUBERNETES_SERVICE_HOST") == null) {
            assertField(connection("in-cluster", Map.of(), Map.of()), "endpoint");
        }
        assertField(connection("", Map.of("token", "t"), Map.of()), "endpoint");
        assertField(connection("https://10.0.0.1:6443", Map.of(), Map.of()), "credentials.token");
        assertField(connection("https://10.0.0.1:6443", Map.of("token", "t", "caCert", "not a cert"), Map.of()),
                "credentials.caCert");
        assertField(connection("https://10.0.0.1:6443", Map.of("token", "t"), Map.of("namespaces", "ok,Not_Valid")),
                "options.namespaces");
        assertField(connection("https://10.0.0.1:6443", Map.of("token", "t"), Map.of("namespaces", " a , b ,Bad")),
                "options.namespaces");
        assertField(connection("https://10.0.0.1:6443", Map.of("token", "t"), Map.of("resyncSeconds", "soon")),
                "options.resyncSeconds");
        assertField(connection("", Map.of("kubeconfig", "{{{ not yaml"), Map.of()), "credentials.kubeconfig");
        assertField(connection("", Map.of("kubeconfig", KUBECONFIG), Map.of()), "options.context");
        assertField(connection("", Map.of("kubeconfig", KUBECONFIG), Map.of("context", "missing")), "options.context");
        String exec = KUBECONFIG.replace("user: {token: abc}", "user: {exec: {command: /bin/sh}}") + "current-context: main\n";
        assertField(connection("", Map.of("kubeconfig", exec), Map.of()), "credentials.kubeconfig");
    }

    @Test
    void kubeconfigParseErrorsDoNotEchoTheDocument() {
        assertThatThrownBy(() -> adapter.validate(connection("", Map.of("kubeconfig", "token: s3cret: [oops"), Map.of())))
                .isInstanceOf(InvalidSpecException.class).message().doesNotContain("s3cret");
    }

    @Test
    void aKubeconfigAliasBombIsRefusedByTheParseBudgetWithoutExpanding() {
        String bomb = HostileDocuments.aliasBomb() + KUBECONFIG + "current-context: main\n";
        HostileDocuments.Refusal r = HostileDocuments.refusal(() -> adapter.validate(connection("",
                Map.of("kubeconfig", bomb), Map.of())));
        assertThat(r.thrown()).isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors())
                .singleElement().satisfies(f -> {
                    assertThat(f.field()).isEqualTo("credentials.kubeconfig");
                    assertThat(f.message()).contains("more than " + ManifestLimits.MAX_NODES + " nodes", "parse budget");
                }));
        assertThat(r.allocatedBytes()).isLessThan(100L * 1024 * 1024);
        assertThat(r.millis()).isLessThan(10_000);
    }

    private void assertField(EngineConnection c, String field) {
        assertThatThrownBy(() -> adapter.validate(c)).isInstanceOfSatisfying(InvalidSpecException.class,
                e -> assertThat(e.errors()).extracting(InvalidSpecException.FieldError::field).containsExactly(field));
    }

    private static EngineConnection connection(String endpoint, Map<String, String> credentials, Map<String, String> options) {
        return new EngineConnection(UUID.randomUUID(), "k", endpoint, Map.of(), credentials, options, Duration.ofSeconds(3));
    }
}
