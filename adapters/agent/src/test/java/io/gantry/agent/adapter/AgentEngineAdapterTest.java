package io.gantry.agent.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineForbiddenException;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.tls.TestPki;
import io.grpc.Status;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AgentEngineAdapterTest {
    private final AgentEngineAdapter adapter = new AgentEngineAdapter();

    @Test
    void validatesEndpointAndTokenWithoutNetwork() {
        adapter.validate(connection("grpc://10.0.0.7:7443", Map.of("token", "t")));
        adapter.validate(connection("grpcs://agent.example:7443", Map.of("token", "t",
                "caCert", TestPki.ca("agent-ca").certPem())));
        assertThatThrownBy(() -> adapter.validate(connection("http://10.0.0.7:7443", Map.of("token", "t"))))
                .isInstanceOfSatisfying(InvalidSpecException.class,
                        e -> assertThat(e.errors()).singleElement().satisfies(f -> assertThat(f.field()).isEqualTo("endpoint")));
        assertThatThrownBy(() -> adapter.validate(connection("grpc://10.0.0.7", Map.of("token", "t"))))
                .isInstanceOf(InvalidSpecException.class);
        assertThatThrownBy(() -> adapter.validate(connection("grpc://10.0.0.7:7443", Map.of())))
                .isInstanceOfSatisfying(InvalidSpecException.class,
                        e -> assertThat(e.errors().get(0).field()).isEqualTo("credentials.token"));
        assertThatThrownBy(() -> adapter.validate(connection("grpcs://h:1", Map.of("token", "t", "caCert", "nope"))))
                .isInstanceOf(InvalidSpecException.class);
        assertThat(adapter.kind()).isEqualTo("agent");
    }

    @Test
    void tlsCredentialsAreReadAtValidationInEveryKeyEncoding() {
        TestPki.Issued ca = TestPki.ca("agent-ca");
        TestPki.Issued client = TestPki.issue(ca, "gantry", TestPki.ec());
        for (String key : new String[] {client.traditionalKeyPem(), client.pkcs8KeyPem()}) {
            adapter.validate(connection("grpcs://h:7443", Map.of("token", "t", "caCert", ca.certPem(),
                    "clientCert", client.certPem(), "clientKey", key)));
        }
        assertThatThrownBy(() -> adapter.validate(connection("grpcs://h:7443", Map.of("token", "t",
                "clientCert", client.certPem()))))
                .hasMessage("credentials.clientKey: is required with clientCert");
        assertThatThrownBy(() -> adapter.validate(connection("grpcs://h:7443", Map.of("token", "t",
                "caCert", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))))
                .isInstanceOfSatisfying(InvalidSpecException.class,
                        e -> assertThat(e.errors().get(0).field()).isEqualTo("credentials.caCert"));
        assertThatThrownBy(() -> adapter.validate(connection("grpc://h:7443/agent", Map.of("token", "t"))))
                .hasMessage("endpoint: must not have a path");
    }

    @Test
    void nativeIdsAreNamespaceSlashContainer() {
        assertThat(AgentEngineClient.parse("shop/web")).hasValue(new AgentEngineClient.Ref("shop", "web"));
        assertThat(AgentEngineClient.parse("web")).isEmpty();
        assertThat(AgentEngineClient.parse("a/b/c")).isEmpty();
        assertThat(AgentEngineClient.parse("/web")).isEmpty();
    }

    @Test
    void aStatusDescriptionIsCutAndAPageInItIsDropped() {
        // grpc-java describes a non-gRPC answer with its status, headers and the start of its body
        String page = "HTTP status code 502\ninvalid content-type: text/html\nDATA-----\n<html><body>"
                + "SECRET-MARKER ".repeat(500) + "</body></html>";
        assertThat(AgentErrors.map(Status.UNAVAILABLE.withDescription(page).asRuntimeException(), "e", null))
                .hasMessage("agent engine 'e' is unavailable: UNAVAILABLE");
        String longText = "disk full\r\n" + "SECRET-MARKER".repeat(40);
        assertThat(AgentErrors.map(Status.INTERNAL.withDescription(longText).asRuntimeException(), "e", null).getMessage())
                .startsWith("agent engine 'e' is unavailable: disk full SECRET-MARKER").doesNotContain("\r", "\n")
                .hasSizeLessThan(160);
    }

    @Test
    void grpcCodesBecomePortExceptions() {
        assertThat(AgentErrors.map(Status.NOT_FOUND.asRuntimeException(), "e", "shop/web"))
                .isInstanceOfSatisfying(WorkloadNotFoundException.class, e -> assertThat(e.nativeId()).isEqualTo("shop/web"));
        assertThat(AgentErrors.map(Status.ALREADY_EXISTS.withDescription("taken").asRuntimeException(), "e", null))
                .isInstanceOf(EngineConflictException.class);
        assertThat(AgentErrors.map(Status.ABORTED.asRuntimeException(), "e", null)).isInstanceOf(EngineConflictException.class);
        assertThat(AgentErrors.map(Status.UNAUTHENTICATED.asRuntimeException(), "e", null))
                .isInstanceOf(EngineForbiddenException.class);
        assertThat(AgentErrors.map(Status.UNAVAILABLE.asRuntimeException(), "e", null))
                .isInstanceOf(EngineUnavailableException.class).hasMessageContaining("'e'");
        assertThat(AgentErrors.map(Status.DEADLINE_EXCEEDED.asRuntimeException(), "e", null))
                .isInstanceOf(EngineUnavailableException.class);
        assertThat(AgentErrors.map(Status.INVALID_ARGUMENT.withDescription(
                "spec.resources.memoryBytes must not be negative, got -1").asRuntimeException(), "e", null))
                .isInstanceOfSatisfying(InvalidSpecException.class,
                        e -> assertThat(e.errors().get(0).field()).isEqualTo("spec.resources.memoryBytes"));
        assertThat(AgentErrors.invalid("command 'x' was not found on PATH").errors().get(0).field())
                .isEqualTo("spec.command");
    }

    private static EngineConnection connection(String endpoint, Map<String, String> credentials) {
        return new EngineConnection(UUID.randomUUID(), "a", endpoint, Map.of(), credentials, Map.of(), null);
    }
}
