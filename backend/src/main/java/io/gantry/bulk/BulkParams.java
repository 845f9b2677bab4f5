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
 */
record BulkParams(Integer replicas, String image, Map<String, String> env, Resources resources, String targetEngine) {
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
                yield new BulkParams(n.intValue(), null, null, null, null);
            }
            case UPDATE -> update(p);
            case COPY -> {
                if (!(p.get("targetEngine") instanceof String target) || target.isBlank()) {
                    throw BadRequestException.field("params.targetEngine", "a copy needs the target engine's id or name");
                }
                yield new BulkParams(null, null, null, null, target);
            }
            case LABEL -> {
                if (!(p.get("add") instanceof Map<?, ?>) && !(p.get("remove") instanceof List<?>)) {
                    throw BadRequestException.field("params.add", "a label action needs add {k: v} or remove [k]");
                }
                yield new BulkParams(null, null, null, null, null);
            }
            case RESTART, DELETE, ROLLBACK -> new BulkParams(null, null, null, null, null);
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
        return new BulkParams(null, (String) image, env, resources, null);
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
                current.runtime());
    }

    WorkloadSpec scaled(WorkloadSpec current) {
        return new WorkloadSpec(current.image(), current.command(), current.args(), current.env(), current.ports(),
                current.resources(), replicas, current.healthCheck(), current.constraints(), current.runtime());
    }
}
