package io.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.EngineAdapter;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.HostileDocuments;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.ManifestLimits;
import java.net.URI;
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
    void aKubeconfigNamingAFileOrAPluginIsRefusedNamingTheEntry() {
        String withContext = KUBECONFIG + "current-context: main\n";
        assertRefused(withContext.replace("user: {token: abc}", "user: {tokenFile: /etc/shadow}"),
                "users[0].user.tokenFile is a file reference; inline it as token");
        // the inline value wins in client-java, but the reference alone says the document is not self-contained
        assertRefused(withContext.replace("user: {token: abc}", "user: {client-certificate-data: Y2VydA==, "
                + "client-key-data: a2V5, client-key: /root/.ssh/id_rsa}"), "users[0].user.client-key is a file reference");
        assertRefused(withContext.replace("user: {token: abc}", "user: {client-certificate: /c.pem, client-key-data: a2V5}"),
                "users[0].user.client-certificate is a file reference; inline it as client-certificate-data");
        assertRefused(withContext.replace("cluster: {server: \"https://10.0.0.1:6443\"}",
                        "cluster: {server: \"https://10.0.0.1:6443\", certificate-authority: /etc/ssl/private/ca.pem}"),
                "clusters[0].cluster.certificate-authority is a file reference; inline it as certificate-authority-data");
        assertRefused(withContext.replace("user: {token: abc}", "user: {auth-provider: {name: gcp, config: {cmd-path: /bin/sh}}}"),
                "users[0].user.auth-provider runs a credential plugin");
        // a user no context uses today is checked too: option context may name it later
        assertRefused(withContext.replace("users:\n", "users:\n- name: spare\n  user: {tokenFile: /t}\n"),
                "users[0].user.tokenFile");
    }

    @Test
    void inlineKubeconfigCredentialsAreAcceptedAndTheServerIsTheDestination() {
        String inline = KUBECONFIG.replace("cluster: {server: \"https://10.0.0.1:6443\"}",
                "cluster: {server: \"10.0.0.9:6443\", certificate-authority-data: Y2E=}") + "current-context: main\n";
        EngineConnection c = connection("https://ignored.example:1", Map.of("kubeconfig", inline), Map.of());

        assertThatCode(() -> adapter.validate(c)).doesNotThrowAnyException();
        assertThat(adapter.destinations(c)).containsExactly(URI.create("https://10.0.0.9:6443"));
        assertThat(adapter.destinations(connection("https://10.0.0.1:6443", Map.of("token", "t"), Map.of())))
                .containsExactly(URI.create("https://10.0.0.1:6443"));
        assertThat(adapter.destinations(connection("in-cluster", Map.of(), Map.of()))).isEmpty();
    }

    private void assertRefused(String kubeconfig, String message) {
        assertThatThrownBy(() -> adapter.validate(connection("", Map.of("kubeconfig", kubeconfig), Map.of())))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.errors()).extracting(InvalidSpecException.FieldError::field)
                            .containsExactly("credentials.kubeconfig");
                    assertThat(e.errors().get(0).message()).startsWith(message);
                });
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
        r.assertNotExpanded();
    }

    private void assertField(EngineConnection c, String field) {
        assertThatThrownBy(() -> adapter.validate(c)).isInstanceOfSatisfying(InvalidSpecException.class,
                e -> assertThat(e.errors()).extracting(InvalidSpecException.FieldError::field).containsExactly(field));
    }

    private static EngineConnection connection(String endpoint, Map<String, String> credentials, Map<String, String> options) {
        return new EngineConnection(UUID.randomUUID(), "k", endpoint, Map.of(), credentials, options, Duration.ofSeconds(3));
    }
}
