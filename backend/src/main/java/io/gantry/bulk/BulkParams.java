package io.gantry.bulk;

import io.gantry.spi.Resources;
import io.gantry.spi.WorkloadSpec;
import io.gantry.web.BadRequestException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code params} of a bulk request, checked against its action once for the whole run: a missing or malformed
 * parameter is a 400 naming {@code params.<name>}, never a refusal repeated on every item.
 *
 * @param replicas     for {@code scale}
 * @param image        for {@code update}: the new image, or {@code null} to keep each workload's own
 * @param env          for {@code update}: keys to set (a {@code null} value removes the key)
 * @param resources    for {@code update}: the new limits, or {@code null} to keep them
 * @param targetEngine for {@code copy}
 * @param addLabels    for {@code label}: labels to set, replacing a value the key had
 * @param removeLabels for {@code label}: keys to remove
 */
record BulkParams(Integer replicas, String image, Map<String, String> env, Resources resources, String targetEngine,
                  Map<String, String> addLabels, List<String> removeLabels) {
    static final int MAX_LABEL_LENGTH = 253;
    static final int MAX_REPLICAS = 10_000;

    static BulkParams of(BulkAction action, Map<String, Object> params) {
        Map<String, Object> p = params == null ? Map.of() : params;
        return switch (action) {
            case SCALE -> {
                if (!(p.get("replicas") instanceof Number n) || n.intValue() < 0 || n.intValue() > MAX_REPLICAS
                        || n.doubleValue() != n.intValue()) {
                    throw BadRequestException.field("params.replicas", "a scale needs a whole number of replicas "
                            + "between 0 and " + MAX_REPLICAS);
                }
                yield new BulkParams(n.intValue(), null, null, null, null, null, null);
            }
            case UPDATE -> update(p);
            case COPY -> {
                if (!(p.get("targetEngine") instanceof String target) || target.isBlank()) {
                    throw BadRequestException.field("params.targetEngine", "a copy needs the target engine's id or name");
                }
                yield new BulkParams(null, null, null, null, target, null, null);
            }
            case LABEL -> labels(p);
            case RESTART, DELETE, ROLLBACK -> new BulkParams(null, null, null, null, null, null, null);
        };
    }

    private static BulkParams update(Map<String, Object> p) {
        Object image = p.get("image");
        if (image != null && (!(image instanceof String s) || s.isBlank())) {
            throw BadRequestException.field("params.image", "must be an image reference");
        }
        Map<String, String> env = null;
        if (p.get("env") instanceof Map<?, ?> m) {
            env = new LinkedHashMap<>();
            for (var e : m.entrySet()) {
                env.put(String.valueOf(e.getKey()), e.getValue() == null ? null : String.valueOf(e.getValue()));
            }
        } else if (p.get("env") != null) {
            throw BadRequestException.field("params.env", "must be an object of keys to values");
        }
        Resources resources = null;
        if (p.get("resources") instanceof Map<?, ?> m) {
            resources = new Resources(longOrNull(m.get("cpuMillis"), "params.resources.cpuMillis"),
                    longOrNull(m.get("memoryBytes"), "params.resources.memoryBytes"));
        } else if (p.get("resources") != null) {
            throw BadRequestException.field("params.resources", "must be {cpuMillis?, memoryBytes?}");
        }
        if (image == null && env == null && resources == null) {
            throw BadRequestException.field("params.image", "an update needs at least one of image, env, resources");
        }
        return new BulkParams(null, (String) image, env, resources, null, null, null);
    }

    private static BulkParams labels(Map<String, Object> p) {
        Map<String, String> add = new LinkedHashMap<>();
        if (p.get("add") instanceof Map<?, ?> m) {
            for (var e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                label(key, "params.add");
                if (!(e.getValue() instanceof String value) || value.length() > MAX_LABEL_LENGTH) {
                    throw BadRequestException.field("params.add." + key, "must be text of at most "
                            + MAX_LABEL_LENGTH + " characters");
                }
                add.put(key, value);
            }
        } else if (p.get("add") != null) {
            throw BadRequestException.field("params.add", "must be an object of label keys to values");
        }
        List<String> remove = new java.util.ArrayList<>();
        if (p.get("remove") instanceof List<?> l) {
            for (Object key : l) {
                if (!(key instanceof String k)) {
                    throw BadRequestException.field("params.remove", "must be a list of label keys");
                }
                label(k, "params.remove");
                remove.add(k);
            }
        } else if (p.get("remove") != null) {
            throw BadRequestException.field("params.remove", "must be a list of label keys");
        }
        if (add.isEmpty() && remove.isEmpty()) {
            throw BadRequestException.field("params.add", "a label action needs add {k: v} or remove [k]");
        }
        if (remove.stream().anyMatch(add::containsKey)) {
            throw BadRequestException.field("params.remove", "a key cannot be both added and removed");
        }
        return new BulkParams(null, null, null, null, null, add, remove);
    }

    private static void label(String key, String field) {
        if (key.isBlank() || key.length() > MAX_LABEL_LENGTH) {
            throw BadRequestException.field(field, "label keys are 1 to " + MAX_LABEL_LENGTH + " characters");
        }
    }

    /** The labels a {@code label} action makes of {@code current}: added ones set, removed ones gone. */
    Map<String, String> relabeled(Map<String, String> current) {
        Map<String, String> labels = new java.util.TreeMap<>(current);
        labels.putAll(addLabels);
        removeLabels.forEach(labels::remove);
        return labels;
    }

    private static Long longOrNull(Object value, String field) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number n) || n.longValue() < 0) {
            throw BadRequestException.field(field, "must be a non-negative whole number");
        }
        return n.longValue();
    }

    /** The spec an update makes of {@code current}: only the fields given change; env keys merge. */
    WorkloadSpec updated(WorkloadSpec current) {
        Map<String, String> newEnv = new LinkedHashMap<>(current.env());
        if (env != null) {
            env.forEach((k, v) -> {
                if (v == null) {
                    newEnv.remove(k);
                } else {
                    newEnv.put(k, v);
                }
            });
        }
        Resources newResources = resources == null ? current.resources() : new Resources(
                resources.cpuMillis() == null ? current.resources().cpuMillis() : resources.cpuMillis(),
                resources.memoryBytes() == null ? current.resources().memoryBytes() : resources.memoryBytes());
        return new WorkloadSpec(image == null ? current.image() : image, current.command(), current.args(), newEnv,
                current.ports(), newResources, current.replicas(), current.healthCheck(), current.constraints(),
                current.runtime(), current.secrets());
    }

    WorkloadSpec scaled(WorkloadSpec current) {
        return current.withReplicas(replicas);
    }
}
