package io.gantry.bulk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.Resources;
import io.gantry.spi.WorkloadSpec;
import io.gantry.web.BadRequestException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BulkParamsTest {
    private static final WorkloadSpec CURRENT = new WorkloadSpec("nginx:1", List.of("nginx"), List.of(),
            Map.of("KEEP", "1", "DROP", "2", "CHANGE", "3"), List.of(), new Resources(500L, 1024L), 2, null, List.of(), null);

    @Test
    void anUpdateChangesOnlyTheFieldsGivenAndMergesEnvKeys() {
        Map<String, Object> env = new HashMap<>();
        env.put("CHANGE", "30");
        env.put("DROP", null);
        env.put("NEW", "4");
        WorkloadSpec updated = BulkParams.of(BulkAction.UPDATE, Map.of("env", env, "resources", Map.of("memoryBytes", 2048)))
                .updated(CURRENT);
        assertThat(updated.image()).isEqualTo("nginx:1");
        assertThat(updated.env()).containsExactlyInAnyOrderEntriesOf(Map.of("KEEP", "1", "CHANGE", "30", "NEW", "4"));
        assertThat(updated.resources()).isEqualTo(new Resources(500L, 2048L));
        assertThat(updated.replicas()).isEqualTo(2);
        assertThat(updated.command()).containsExactly("nginx");

        assertThat(BulkParams.of(BulkAction.UPDATE, Map.of("image", "nginx:2")).updated(CURRENT).image()).isEqualTo("nginx:2");
    }

    @Test
    void aScaleSetsOnlyTheReplicas() {
        WorkloadSpec scaled = BulkParams.of(BulkAction.SCALE, Map.of("replicas", 5)).scaled(CURRENT);
        assertThat(scaled.replicas()).isEqualTo(5);
        assertThat(scaled.env()).isEqualTo(CURRENT.env());
    }

    @Test
    void missingOrMalformedParamsAreA400NamingThem() {
        assertThatThrownBy(() -> BulkParams.of(BulkAction.SCALE, Map.of())).isInstanceOfSatisfying(BadRequestException.class,
                e -> assertThat(e.getMessage()).contains("replicas"));
        assertThatThrownBy(() -> BulkParams.of(BulkAction.SCALE, Map.of("replicas", 1.5))).isInstanceOf(BadRequestException.class);
        assertThatThrownBy(() -> BulkParams.of(BulkAction.SCALE, Map.of("replicas", -1))).isInstanceOf(BadRequestException.class);
        assertThatThrownBy(() -> BulkParams.of(BulkAction.UPDATE, Map.of())).isInstanceOf(BadRequestException.class);
        assertThatThrownBy(() -> BulkParams.of(BulkAction.UPDATE, Map.of("image", " "))).isInstanceOf(BadRequestException.class);
        assertThatThrownBy(() -> BulkParams.of(BulkAction.UPDATE, Map.of("resources", Map.of("cpuMillis", -5))))
                .isInstanceOf(BadRequestException.class);
        assertThatThrownBy(() -> BulkParams.of(BulkAction.COPY, Map.of())).isInstanceOf(BadRequestException.class);
        assertThatThrownBy(() -> BulkAction.of("explode")).isInstanceOf(BadRequestException.class);
        assertThat(BulkParams.of(BulkAction.RESTART, null)).isNotNull();
    }
}
