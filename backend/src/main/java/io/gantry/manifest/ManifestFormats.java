package io.gantry.manifest;

import io.gantry.spi.ManifestFormat;
import io.gantry.web.BadRequestException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/**
 * The native document formats the adapters on the classpath provide, found through
 * {@link ServiceLoader} as the adapters themselves are: a new format needs no backend change.
 */
@Component
public class ManifestFormats {
    private final Map<String, ManifestFormat> byName = new TreeMap<>();

    ManifestFormats() {
        ServiceLoader.load(ManifestFormat.class, ManifestFormats.class.getClassLoader())
                .forEach(f -> byName.putIfAbsent(f.name(), f));
    }

    /** What a page offers to choose from: every format, by name. */
    public List<Choice> choices() {
        return byName.values().stream().map(Choice::of).toList();
    }

    /**
     * A format as a page lists it.
     *
     * @param label for people, from the format's name and media type: {@code Kubernetes YAML}, {@code Marathon JSON}
     */
    public record Choice(String name, String label) {
        static Choice of(ManifestFormat format) {
            String subtype = format.mediaType().substring(format.mediaType().indexOf('/') + 1);
            String notation = subtype.substring(subtype.lastIndexOf('+') + 1).replaceFirst("^x-", "");
            return new Choice(format.name(), Character.toUpperCase(format.name().charAt(0)) + format.name().substring(1)
                    + " " + notation.toUpperCase(Locale.ROOT));
        }
    }

    /** The format of an engine kind's own documents, if an adapter provides one. */
    public Optional<ManifestFormat> forEngineKind(String kind) {
        return byName.values().stream().filter(f -> f.engineKind().equals(kind)).findFirst();
    }

    /**
     * @param field the request field or parameter that named it, for the error
     * @throws BadRequestException naming {@code field} when no format has that name
     */
    public ManifestFormat get(String name, String field) {
        ManifestFormat format = name == null ? null : byName.get(name.trim().toLowerCase(Locale.ROOT));
        if (format == null) {
            throw BadRequestException.field(field, "must be one of " + String.join(", ", byName.keySet()));
        }
        return format;
    }
}
