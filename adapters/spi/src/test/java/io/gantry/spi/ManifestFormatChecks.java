package io.gantry.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Assertions every format's test makes the same way. */
public final class ManifestFormatChecks {
    private ManifestFormatChecks() {
    }

    /** Parsing the document fails with one field error at each of these fields, in any order, and no other. */
    public static void assertFieldErrors(ManifestFormat format, String document, String... fields) {
        assertThatThrownBy(() -> format.parse(document)).isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(((InvalidSpecException) e).errors()).as(e.getMessage())
                        .extracting(InvalidSpecException.FieldError::field).containsExactlyInAnyOrder(fields));
    }

    /** The backend finds the format by this name: its {@code META-INF/services} entry is in place. */
    public static void assertFoundByServiceLoader(String name) {
        List<String> names = new ArrayList<>();
        ServiceLoader.load(ManifestFormat.class).forEach(f -> names.add(f.name()));
        assertThat(names).contains(name);
    }

    /**
     * Each hostile document is refused with one error on the field {@code manifest} whose message contains the
     * given words, and without being expanded (see {@link HostileDocuments.Refusal#assertNotExpanded()}).
     *
     * @param refusals hostile document to the words its refusal must contain
     */
    public static void assertRefusedUnexpanded(ManifestFormat format, Map<String, String> refusals) {
        refusals.forEach((document, message) -> {
            HostileDocuments.Refusal r = HostileDocuments.refusal(() -> format.parse(document));
            assertThat(r.thrown()).isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors())
                    .singleElement().satisfies(f -> {
                        assertThat(f.field()).isEqualTo("manifest");
                        assertThat(f.message()).contains(message);
                    }));
            r.assertNotExpanded();
        });
    }
}
