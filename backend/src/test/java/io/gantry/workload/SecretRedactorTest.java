package io.gantry.workload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SecretRedactorTest {
    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void blanksSecretLookingValuesAndEnvPairsButKeepsTheRest() {
        JsonNode node = json.readTree("""
                {"metadata": {"name": "web", "annotations": {"apiToken": "t0k3n"}},
                 "spec": {"password": "hunter2", "replicas": 3, "sslKey": {"inner": "kept-structure"},
                          "env": [{"name": "DB_PASSWORD", "value": "pw"}, {"name": "MODE", "value": "prod"}],
                          "credentials": null}}""");
        String out = SecretRedactor.redact(node).toString();
        assertThat(out).doesNotContain("t0k3n").doesNotContain("hunter2").doesNotContain("\"pw\"")
                .contains("\"name\":\"web\"").contains("\"replicas\":3").contains("\"value\":\"prod\"")
                .contains("\"inner\":\"kept-structure\"").contains("\"credentials\":null");
    }

    @Test
    void blanksDockerEnvAssignmentsAndTheKeysAnEngineDeclares() {
        JsonNode node = json.readTree("""
                {"Spec": {"TaskTemplate": {"ContainerSpec": {"Env": ["DB_PASSWORD=hunter2", "MODE=prod", "DATABASE_URL=pg://u:p@db"],
                 "Args": ["--port=80"]}}, "Labels": {"DATABASE_URL": "pg://x"}}}""");
        String out = SecretRedactor.redact(node, key -> key.equals("DATABASE_URL") || key.contains("PASSWORD")).toString();
        assertThat(out).contains("\"DB_PASSWORD=***\"", "\"MODE=prod\"", "\"DATABASE_URL=***\"", "\"--port=80\"",
                "\"DATABASE_URL\":\"***\"").doesNotContain("hunter2", "pg://");
    }
}
