package io.gantry.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.HealthCheck;
import io.gantry.spi.WorkloadSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class EnvKeysTest {
    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void readsTheKeysOfTheTopLevelEnvOnly() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DB_PASSWORD", "{\"env\": {\"NOT\": \"a key\"}}");
        env.put("LOG_LEVEL", "info");
        WorkloadSpec spec = new WorkloadSpec("nginx", List.of("sh"), List.of("-c", "\"env\":{}"), env, null, null, 2,
                HealthCheck.http("/", 80, 10), List.of("node.labels.env==prod"), null);
        assertThat(EnvKeys.of(json, json.writeValueAsString(spec))).containsExactly("DB_PASSWORD", "LOG_LEVEL");
    }

    @Test
    void anEmptyOrMissingEnvHasNoKeys() {
        assertThat(EnvKeys.of(json, json.writeValueAsString(WorkloadSpec.of("nginx", 1)))).isEmpty();
        assertThat(EnvKeys.of(json, "{\"image\":\"nginx\"}")).isEmpty();
        assertThat(EnvKeys.of(json, null)).isEmpty();
    }
}
