package io.gantry.compare;

import io.gantry.spi.HealthCheck;
import io.gantry.spi.config.SecretRef;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Quantities;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.WorkloadStatus;
import io.gantry.workload.WorkloadView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Compares workloads field by field, by meaning rather than notation. The model already holds exact
 * units (millicores, bytes), so {@code cpus: 0.5}, {@code 500m} and NanoCPUs 500000000 all arrive as 500;
 * what is left here is the semantics of each field's type: image names in canonical form, maps and
 * sets without order.
 */
public final class WorkloadComparator {
    private static final Comparator<PortMapping> PORT_ORDER = Comparator.comparingInt(PortMapping::containerPort)
            .thenComparing(PortMapping::protocol)
            .thenComparing(PortMapping::publishedPort, Comparator.nullsFirst(Comparator.naturalOrder()));

    /** How one field is read, compared and shown. */
    private record Rule(String path, Function<WorkloadView, Object> value, Function<Object, Object> meaning,
                        Function<Object, String> display) {
    }

    private static final List<Rule> RULES = List.of(
            plain("kind", WorkloadView::kind),
            map("labels", WorkloadView::labels),
            new Rule("spec.image", w -> spec(w).image(), v -> ImageName.canonical((String) v),
                    WorkloadComparator::imageDisplay),
            plain("spec.command", w -> spec(w).command()),
            plain("spec.args", w -> spec(w).args()),
            map(Comparison.ENV, w -> spec(w).env()),
            new Rule("spec.ports", w -> sortedPorts(spec(w).ports()), v -> Set.copyOf((List<?>) v), null),
            new Rule("spec.resources.cpuMillis", w -> spec(w).resources().cpuMillis(), v -> v,
                    v -> Quantities.formatCpu((Long) v) + " = " + Quantities.millisToCores((Long) v).toPlainString() + " CPU"),
            new Rule("spec.resources.memoryBytes", w -> spec(w).resources().memoryBytes(), v -> v,
                    v -> Quantities.formatMemory((Long) v) + " = " + v + " bytes"),
            plain("spec.replicas", w -> spec(w).replicas()),
            plain("spec.healthCheck.type", w -> health(w, HealthCheck::type)),
            plain("spec.healthCheck.path", w -> health(w, HealthCheck::path)),
            plain("spec.healthCheck.port", w -> health(w, HealthCheck::port)),
            plain("spec.healthCheck.command", w -> health(w, HealthCheck::command)),
            plain("spec.healthCheck.intervalSeconds", w -> health(w, HealthCheck::intervalSeconds)),
            plain("spec.healthCheck.timeoutSeconds", w -> health(w, HealthCheck::timeoutSeconds)),
            new Rule("spec.constraints", w -> new ArrayList<>(new TreeSet<>(spec(w).constraints())),
                    v -> Set.copyOf((List<?>) v), null),
            plain("spec.runtime", w -> spec(w).runtime()),
            // references name objects, never values: shown to everyone like any other field; order means nothing
            new Rule("spec.secrets", w -> spec(w).secrets(), v -> Set.copyOf((List<?>) v),
                    v -> String.join(", ", ((List<?>) v).stream().map(r -> reference((SecretRef) r)).toList())),
            plain("status.phase", w -> status(w).phase()),
            plain("status.desired", w -> status(w).desired()),
            plain("status.running", w -> status(w).running()),
            plain("status.healthy", w -> status(w).healthy()),
            plain("status.message", w -> status(w).message()),
            plain("status.since", w -> status(w).since()));

    private WorkloadComparator() {
    }

    /** {@code secret db-pass[password] -> env DB_PASSWORD}, {@code config app -> /etc/app (0400)}. */
    private static String reference(SecretRef ref) {
        String what = ref.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + ref.source()
                + (ref.key() == null ? "" : "[" + ref.key() + "]");
        String where = ref.givesEnv() ? "env " + ref.env() : ref.path()
                + (ref.mode() == null ? "" : " (0" + Integer.toOctalString(ref.mode()) + ")");
        return what + " -> " + where;
    }

    /**
     * The spec rows of a comparison of specs of one workload (its revisions, or its spec and a proposed one): kind,
     * labels and status belong to the workload, not to a spec, so they are left out. Compared with the real values
     * of {@code real}; env shown as in {@code shown} (the same specs as the caller may see them, in the same order).
     */
    public static List<Comparison.Field> compareSpecs(List<WorkloadView> real, List<WorkloadView> shown) {
        return compare(real).withEnvOf(shown).fields().stream().filter(f -> f.path().startsWith("spec.")).toList();
    }

    /** Compares without engine notations. */
    static Comparison compare(List<WorkloadView> workloads) {
        return compare(workloads, w -> Map.of());
    }

    /**
     * @param nativeNotation how a workload's engine writes its fields, by model path (see
     *                       {@link io.gantry.spi.ManifestFormat#nativeNotation})
     */
    static Comparison compare(List<WorkloadView> workloads, Function<WorkloadView, Map<String, String>> nativeNotation) {
        List<Comparison.Compared> compared = workloads.stream().map(w -> new Comparison.Compared(w.id(), w.name(),
                w.namespace(), w.engine(), w.kind(), w.status() == null ? null : w.status().phase())).toList();
        List<Comparison.Field> fields = new ArrayList<>();
        List<Map<String, String>> notations = workloads.stream().map(nativeNotation).toList();
        for (Rule rule : RULES) {
            fields.add(field(rule, workloads, notations));
        }
        int differences = (int) fields.stream().filter(f -> !f.equal()).count();
        return new Comparison(compared, fields, differences);
    }

    private static Comparison.Field field(Rule rule, List<WorkloadView> workloads, List<Map<String, String>> notations) {
        List<Object> values = new ArrayList<>();
        Set<Object> meanings = new LinkedHashSet<>();
        List<String> display = new ArrayList<>();
        boolean anyDisplay = false;
        for (WorkloadView w : workloads) {
            Object value = rule.value().apply(w);
            values.add(value);
            meanings.add(value == null ? Absent.VALUE : rule.meaning().apply(value));
            String shown = value == null || rule.display() == null ? null : rule.display().apply(value);
            anyDisplay |= shown != null;
            display.add(shown);
        }
        List<String> natives = notations.stream().map(n -> n.get(rule.path())).toList();
        boolean anyNative = natives.stream().anyMatch(Objects::nonNull);
        boolean equal = meanings.size() <= 1;
        List<String> differingKeys = equal || !rule.path().equals("labels") && !rule.path().equals(Comparison.ENV)
                ? null : differingKeys(values);
        return new Comparison.Field(rule.path(), values, equal, anyDisplay ? display : null, differingKeys,
                anyNative ? natives : null);
    }

    /** A value no field can hold, so that "unset everywhere" is one meaning in a set. */
    private enum Absent { VALUE }

    /** The keys whose values are not the same in every one of {@code maps} (a key missing somewhere differs). */
    public static List<String> differingKeys(List<Object> maps) {
        Set<String> keys = new TreeSet<>();
        maps.forEach(m -> keys.addAll(asMap(m).keySet()));
        List<String> differing = new ArrayList<>();
        for (String key : keys) {
            Set<Object> seen = new LinkedHashSet<>();
            maps.forEach(m -> seen.add(Objects.requireNonNullElse(asMap(m).get(key), Absent.VALUE)));
            if (seen.size() > 1) {
                differing.add(key);
            }
        }
        return differing;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    private static Rule plain(String path, Function<WorkloadView, Object> value) {
        return new Rule(path, value, v -> v, null);
    }

    /** Maps compare as maps; shown sorted by key so that equal maps also read the same. */
    private static Rule map(String path, Function<WorkloadView, Map<String, String>> value) {
        return new Rule(path, w -> new TreeMap<>(value.apply(w)), v -> v, null);
    }

    private static String imageDisplay(Object image) {
        String canonical = ImageName.canonical((String) image);
        return canonical.equals(image) ? null : image + " = " + canonical;
    }

    private static List<PortMapping> sortedPorts(List<PortMapping> ports) {
        return ports.stream().sorted(PORT_ORDER).toList();
    }

    private static Object health(WorkloadView w, Function<HealthCheck, Object> part) {
        HealthCheck check = spec(w).healthCheck();
        return check == null ? null : part.apply(check);
    }

    private static WorkloadSpec spec(WorkloadView w) {
        return w.spec() == null ? WorkloadSpec.of(null, null) : w.spec();
    }

    private static WorkloadStatus status(WorkloadView w) {
        return w.status() == null ? new WorkloadStatus(null, 0, 0, 0, "", null) : w.status();
    }
}
