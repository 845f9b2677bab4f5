package io.gantry.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.ManifestFormat;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every workload among the Kubernetes and Marathon fixtures (testdata/fixtures), translated into every format the
 * adapters provide: the target either renders it (and reads its own document back with the same
 * image, env and resources, unless a warning says what was lost) or refuses it as an invalid spec,
 * which the API answers as a 4xx. No other failure, and no silent loss.
 */
class CrossFormatTest {
    private final Map<String, ManifestFormat> formats = new TreeMap<>();

    CrossFormatTest() {
        ServiceLoader.load(ManifestFormat.class).forEach(f -> formats.put(f.name(), f));
    }

    @Test
    void everyFixtureWorkloadTranslatesToEveryFormatOrIsRefusedAsInvalid() throws IOException {
        assertThat(formats).containsOnlyKeys("agent", "compose", "kubernetes", "marathon");
        int translated = 0;
        List<String> refused = new ArrayList<>();
        for (String source : List.of("kubernetes", "marathon")) {
            for (WorkloadDefinition workload : workloads(source)) {
                for (ManifestFormat target : formats.values()) {
                    ManifestFormat.Rendered rendered;
                    try {
                        rendered = target.render(workload);
                    } catch (InvalidSpecException e) {
                        assertThat(e.errors()).isNotEmpty();
                        refused.add(workload.name() + " -> " + target.name() + ": " + e.getMessage());
                        continue;
                    }
                    WorkloadSpec back = target.parse(rendered.document()).get(0).definition().spec();
                    String what = source + " " + workload.name() + " -> " + target.name() + "\n" + rendered.document();
                    assertThat(back.image()).as(what).isEqualTo(workload.spec().image());
                    if (rendered.warnings().isEmpty()) {
                        assertThat(back.env()).as(what).isEqualTo(workload.spec().env());
                        assertThat(back.resources()).as(what).isEqualTo(workload.spec().resources());
                        assertThat(back.ports()).as(what).hasSameSizeAs(workload.spec().ports());
                    }
                    translated++;
                }
            }
        }
        assertThat(translated).as("translations done; refused: " + refused).isGreaterThanOrEqualTo(40);
    }

    private List<WorkloadDefinition> workloads(String format) throws IOException {
        List<WorkloadDefinition> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of(System.getProperty("gantry.fixtures"), format))) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                try {
                    formats.get(format).parse(Files.readString(file)).forEach(p -> out.add(p.definition()));
                } catch (InvalidSpecException notAWorkloadDocument) {
                    // Pods, Status errors, tasks, RAML: covered by the adapters' own fixture tests
                }
            }
        }
        return out;
    }
}
