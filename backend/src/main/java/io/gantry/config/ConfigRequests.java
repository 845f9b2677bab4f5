package io.gantry.config;

import io.gantry.spi.config.ConfigKind;
import io.gantry.web.BadRequestException;
import io.gantry.web.FieldProblem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Bodies of the config routes and their checks. A problem names the field ({@code data.<key>}), never the value:
 * what the caller sent may be a password.
 */
final class ConfigRequests {
    /** Kubernetes' rule for Secret and ConfigMap keys; Swarm and the agent take any of these too. */
    static final Pattern KEY = Pattern.compile("[-._a-zA-Z0-9]+");
    /** A DNS-1123 subdomain, the strictest name rule of the engines (Kubernetes). */
    static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    static final int MAX_NAME = 253;
    static final int MAX_KEY = 253;
    static final int MAX_KEYS = 64;
    /** Swarm's cap on one secret (500 KiB); Kubernetes allows 1 MiB for the whole object. */
    static final int MAX_VALUE_BYTES = 500 * 1024;
    static final int MAX_TOTAL_BYTES = 1024 * 1024;

    private ConfigRequests() {
    }

    record CreateConfig(String engine, String namespace, String name, String kind, Map<String, String> data) {
        @Override
        public String toString() {
            return "CreateConfig[engine=" + engine + ", namespace=" + namespace + ", name=" + name + ", kind=" + kind
                    + ", keys=" + (data == null ? "[]" : data.keySet()) + "]";
        }
    }

    record RotateConfig(Map<String, String> data) {
        @Override
        public String toString() {
            return "RotateConfig[keys=" + (data == null ? "[]" : data.keySet()) + "]";
        }
    }

    /** @throws BadRequestException naming every bad field of a create */
    static ConfigKind check(CreateConfig body) {
        List<FieldProblem> problems = new ArrayList<>();
        if (body.engine() == null || body.engine().isBlank()) {
            problems.add(new FieldProblem("engine", "must not be blank"));
        }
        if (body.namespace() != null && body.namespace().length() > MAX_NAME) {
            problems.add(new FieldProblem("namespace", "must be at most " + MAX_NAME + " characters"));
        }
        if (body.name() == null || body.name().isBlank()) {
            problems.add(new FieldProblem("name", "must not be blank"));
        } else if (body.name().length() > MAX_NAME || !NAME.matcher(body.name()).matches()) {
            problems.add(new FieldProblem("name", "must be lower-case letters, digits, '-' and '.', starting and ending"
                    + " with a letter or digit, at most " + MAX_NAME + " characters"));
        }
        ConfigKind kind = null;
        if (body.kind() == null || body.kind().isBlank()) {
            problems.add(new FieldProblem("kind", "must be SECRET or CONFIG"));
        } else {
            try {
                kind = ConfigKind.valueOf(body.kind().trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add(new FieldProblem("kind", "must be SECRET or CONFIG"));
            }
        }
        problems.addAll(dataProblems(body.data()));
        if (!problems.isEmpty()) {
            throw new BadRequestException(problems);
        }
        return kind;
    }

    /** @throws BadRequestException naming every bad key of a rotation */
    static void check(RotateConfig body) {
        List<FieldProblem> problems = dataProblems(body.data());
        if (!problems.isEmpty()) {
            throw new BadRequestException(problems);
        }
    }

    private static List<FieldProblem> dataProblems(Map<String, String> data) {
        List<FieldProblem> problems = new ArrayList<>();
        if (data == null || data.isEmpty()) {
            problems.add(new FieldProblem("data", "must hold at least one key"));
            return problems;
        }
        if (data.size() > MAX_KEYS) {
            problems.add(new FieldProblem("data", "must hold at most " + MAX_KEYS + " keys"));
        }
        long total = 0;
        for (Map.Entry<String, String> e : data.entrySet()) {
            String key = e.getKey();
            // keys are names, not values: a problem names the key; it never repeats a value
            String field = "data." + (key.length() <= MAX_KEY ? key : key.substring(0, MAX_KEY) + "...");
            if (key.length() > MAX_KEY || !KEY.matcher(key).matches()) {
                problems.add(new FieldProblem(field, "a key must match " + KEY.pattern() + " and be at most " + MAX_KEY
                        + " characters"));
                continue;
            }
            if (e.getValue() == null) {
                problems.add(new FieldProblem(field, "must be a string"));
                continue;
            }
            int bytes = e.getValue().getBytes(StandardCharsets.UTF_8).length;
            total += bytes;
            if (bytes > MAX_VALUE_BYTES) {
                problems.add(new FieldProblem(field, "must be at most " + MAX_VALUE_BYTES + " bytes"));
            }
        }
        if (total > MAX_TOTAL_BYTES) {
            problems.add(new FieldProblem("data", "must be at most " + MAX_TOTAL_BYTES + " bytes in all"));
        }
        return problems;
    }
}
