package io.gantry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class RedactorTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void secretKeysAreRedactedAtAnyDepth() {
        String body = """
                {"name":"prod","kind":"kubernetes","endpoint":"https://k8s:6443",
                 "credentials":{"kubeconfig":"apiVersion: v1"},
                 "spec":{"image":"nginx","env":{"DB_PASS":"hunter2"},"replicas":3,
                         "healthCheck":{"apiKey":"abc123"}},
                 "password":"p4ss", "clientKey":"-----BEGIN"}""";

        String out = JSON.writeValueAsString(Redactor.json(body.getBytes(StandardCharsets.UTF_8), JSON));

        assertThat(out).contains("\"name\":\"prod\"", "\"replicas\":3", "\"image\":\"nginx\"",
                "\"credentials\":\"[REDACTED]\"", "\"env\":\"[REDACTED]\"", "\"password\":\"[REDACTED]\"",
                "\"apiKey\":\"[REDACTED]\"", "\"clientKey\":\"[REDACTED]\"");
        assertThat(out).doesNotContain("hunter2", "p4ss", "abc123", "BEGIN", "apiVersion");
    }

    @Test
    void aDataMapKeepsItsKeysOnly() {
        String body = "{\"name\":\"db\",\"kind\":\"SECRET\",\"data\":{\"url\":\"innocent-value\",\"a.conf\":\"x=1\"}}";

        String out = JSON.writeValueAsString(Redactor.json(body.getBytes(StandardCharsets.UTF_8), JSON));

        assertThat(out).contains("\"data\":[\"a.conf\",\"url\"]", "\"name\":\"db\"")
                .doesNotContain("innocent-value", "x=1");
    }

    @Test
    void secretsHiddenInValuesAreMasked() {
        String body = "{\"endpoint\":\"https://user:pw@marathon:8080\",\"args\":[\"--password=swordfish\",\"-v\"]}";

        String out = JSON.writeValueAsString(Redactor.json(body.getBytes(StandardCharsets.UTF_8), JSON));

        assertThat(out).doesNotContain("pw@", "swordfish").contains("https://[REDACTED]@marathon:8080", "\"-v\"");
    }

    @Test
    void formFieldsDropTheCsrfTokenAndRedactThePassword() {
        String out = JSON.writeValueAsString(Redactor.parameters(Map.of("username", new String[] {"admin"},
                "password", new String[] {"x"}, "_csrf", new String[] {"csrf-value"})));

        assertThat(out).contains("\"username\":\"admin\"", "\"password\":\"[REDACTED]\"").doesNotContain("csrf-value");
    }

    @Test
    void notJsonIsSummarizedNotStored() {
        assertThat(Redactor.json("password=x".getBytes(StandardCharsets.UTF_8), JSON).asString())
                .isEqualTo("not JSON (10 bytes)");
    }
}
