package io.gantry.spi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * A native document format of one engine family: renders the model as that engine's own document
 * and parses such documents back into the model. One implementation per format, in the adapter that
 * knows the format, found by the backend through {@link java.util.ServiceLoader} like
 * {@link EngineAdapter}. Implementations are stateless and thread-safe, and do no network I/O.
 *
 * <p>Nothing is dropped silently: whatever the target format cannot express (a DAEMON on Marathon
 * without a node count, an HTTP health check in Compose) is left out of the document and named in
 * a warning.
 */
public interface ManifestFormat {

    /** What the format is called, what its documents are and which engine reads them; a constant of each format. */
    Description description();

    /** The format's name as the API spells it, lower-case: {@code kubernetes}, {@code marathon}, {@code compose}, {@code agent}. */
    default String name() {
        return description().name();
    }

    /** The media type of rendered documents, e.g. {@code application/yaml}. */
    default String mediaType() {
        return description().mediaType();
    }

    /** The engine kind ({@link EngineAdapter#kind()}) whose documents these are: {@code swarm} for Compose. */
    default String engineKind() {
        return description().engineKind();
    }

    /**
     * How that engine itself writes some fields of a spec, keyed by model path, for showing beside the
     * normalized value: {@code spec.resources.cpuMillis -> "cpus: 0.5"} on Marathon, {@code "NanoCPUs:
     * 500000000"} on Swarm. Only fields whose notation differs from the model's; unset fields are absent.
     * None by default, for a format that writes the model's own units.
     */
    default Map<String, String> nativeNotation(WorkloadSpec spec) {
        return Map.of();
    }

    /**
     * The notation of the spec's resource limits, the fields whose notation differs in every engine that
     * has one; for {@link #nativeNotation}.
     *
     * @param cpuMillis   the engine's notation of a CPU limit, given the limit in millicores
     * @param memoryBytes the engine's notation of a memory limit, given the limit in bytes
     * @return a new, mutable map in model order, without the limits that are not set
     */
    static Map<String, String> resourceNotation(WorkloadSpec spec, LongFunction<String> cpuMillis,
                                                LongFunction<String> memoryBytes) {
        Map<String, String> notation = new LinkedHashMap<>();
        if (spec.resources().cpuMillis() != null) {
            notation.put("spec.resources.cpuMillis", cpuMillis.apply(spec.resources().cpuMillis()));
        }
        if (spec.resources().memoryBytes() != null) {
            notation.put("spec.resources.memoryBytes", memoryBytes.apply(spec.resources().memoryBytes()));
        }
        return notation;
    }

    /**
     * The workload as this format's document.
     *
     * @return the document and the warnings for what it could not express; never {@code null}
     */
    Rendered render(WorkloadDefinition workload);

    /**
     * Parses a document that may describe several workloads (multi-document YAML, a Marathon group,
     * a Compose file with several services). Hostile input (alias bombs, deep nesting, huge scalars)
     * is refused, not expanded: implementations read the text with {@link ManifestReader}, whose budget
     * refusal names the field {@code manifest}.
     *
     * @return one entry per workload, in document order; never empty
     * @throws InvalidSpecException with one field error per problem ({@code field} a path inside the
     *                              document such as {@code services.web.ports[0]}) when the document
     *                              is malformed or describes no workload
     */
    List<Parsed> parse(String document);

    /**
     * @param name       the format's name as the API spells it, lower-case
     * @param mediaType  the media type of rendered documents
     * @param engineKind the engine kind whose documents these are
     */
    record Description(String name, String mediaType, String engineKind) {
        public Description {
            if (name == null || name.isBlank() || mediaType == null || mediaType.isBlank() || engineKind == null
                    || engineKind.isBlank()) {
                throw new IllegalArgumentException("a format needs a name, a media type and an engine kind");
            }
        }
    }

    /**
     * @param document the native document, ready to save or apply
     * @param warnings what the document could not express, for a human; empty when nothing was lost
     */
    record Rendered(String document, List<String> warnings) {
        public Rendered {
            warnings = warnings == null ? List.of() : List.copyOf(warnings);
        }
    }

    /**
     * @param definition the workload to deploy
     * @param warnings   what of the document the model could not keep; empty when nothing was lost
     */
    record Parsed(WorkloadDefinition definition, List<String> warnings) {
        public Parsed {
            warnings = warnings == null ? List.of() : List.copyOf(warnings);
        }
    }
}
