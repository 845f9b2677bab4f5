package io.gantry.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestFormatTest {
    /** A format that declares only what it must. */
    private static final ManifestFormat PLAIN = new ManifestFormat() {
        @Override
        public Description description() {
            return new Description("plain", "text/plain", "test");
        }

        @Override
        public Rendered render(WorkloadDefinition workload) {
            return new Rendered(workload.name(), null);
        }

        @Override
        public List<Parsed> parse(String document) {
            return List.of();
        }
    };

    @Test
    void nameMediaTypeAndEngineKindComeFromTheDescription() {
        assertThat(PLAIN.name()).isEqualTo("plain");
        assertThat(PLAIN.mediaType()).isEqualTo("text/plain");
        assertThat(PLAIN.engineKind()).isEqualTo("test");
        assertThat(PLAIN.nativeNotation(WorkloadSpec.of("busybox", 1))).isEmpty();
        assertThatThrownBy(() -> new ManifestFormat.Description("x", " ", "test"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ManifestFormat.Description(null, "text/plain", "test"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resourceNotationNamesTheLimitsThatAreSet() {
        WorkloadSpec both = new WorkloadSpec("busybox", null, null, null, null, new Resources(500L, 1024L), 2, null,
                null, null);
        Map<String, String> notation = ManifestFormat.resourceNotation(both, cpu -> "cpu " + cpu,
                memory -> "memory " + memory);
        assertThat(notation).containsExactly(Map.entry("spec.resources.cpuMillis", "cpu 500"),
                Map.entry("spec.resources.memoryBytes", "memory 1024"));
        notation.put("spec.replicas", "instances: 2");

        WorkloadSpec memoryOnly = new WorkloadSpec("busybox", null, null, null, null, new Resources(null, 1024L), 2,
                null, null, null);
        assertThat(ManifestFormat.resourceNotation(memoryOnly, cpu -> "cpu", memory -> "memory"))
                .containsOnlyKeys("spec.resources.memoryBytes");
        assertThat(ManifestFormat.resourceNotation(WorkloadSpec.of("busybox", 1), cpu -> "cpu", memory -> "memory"))
                .isEmpty();
    }
}
