package io.gantry.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** What every {@link ManifestFormat}'s test checks the same way. */
public final class FormatAssertions {
    private FormatAssertions() {
    }

    /** The document is refused with field errors naming exactly {@code fields}, in any order. */
    public static void assertFieldErrors(ManifestFormat format, String document, String... fields) {
        assertThatThrownBy(() -> format.parse(document)).isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(((InvalidSpecException) e).errors()).as(e.getMessage())
                        .extracting(InvalidSpecException.FieldError::field).containsExactlyInAnyOrder(fields));
    }

    /** The backend finds the format by its name through {@link ServiceLoader}, as it finds every format. */
    public static void assertFoundByServiceLoader(String name) {
        List<String> names = new ArrayList<>();
        ServiceLoader.load(ManifestFormat.class).forEach(f -> names.add(f.name()));
        assertThat(names).contains(name);
    }
}
