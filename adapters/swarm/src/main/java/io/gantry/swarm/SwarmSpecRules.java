package io.gantry.swarm;

import io.gantry.spi.HealthCheck;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.InvalidSpecException.FieldError;
import io.gantry.spi.PortMapping;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.config.SecretRef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What Swarm would refuse, or accept and never run, checked on the model before anything reaches the
 * engine: a bad request is a 4xx listing every bad field, and no half-created service is left behind.
 */
final class SwarmSpecRules {
    // Swarm service names are DNS labels (swarmkit's validateServiceSpecName: at most 63 characters).
    private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9](?:[a-zA-Z0-9_-]*[a-zA-Z0-9])?$");
    static final int MAX_NAME_LENGTH = 63;
    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "sctp");

    private SwarmSpecRules() {
    }

    /** @throws InvalidSpecException listing every field Swarm would refuse or could not run */
    static void check(WorkloadDefinition definition) {
        List<FieldError> errors = new ArrayList<>();
        checkName("name", definition.name(), errors);
        if (!definition.namespace().isEmpty()) {
            checkName("namespace", definition.namespace(), errors);
        }
        String fullName = SwarmServiceWriter.serviceName(definition.namespace(), definition.name());
        if (fullName != null && fullName.length() > MAX_NAME_LENGTH) {
            errors.add(new FieldError("name", "namespace and name together must be at most " + MAX_NAME_LENGTH
                    + " characters on Swarm"));
        }
        if (definition.kind() == WorkloadKind.STATEFUL) {
            errors.add(new FieldError("kind", "Docker Swarm has no stateful services; use SERVICE, DAEMON or JOB"));
        }
        checkSpec(definition.spec(), definition.kind(), errors);
        throwIfAny(errors);
    }

    /** @throws InvalidSpecException when {@code spec} cannot run as a Swarm service of this kind */
    static void check(WorkloadSpec spec, WorkloadKind kind) {
        List<FieldError> errors = new ArrayList<>();
        checkSpec(spec, kind, errors);
        throwIfAny(errors);
    }

    static boolean isName(String name) {
        return name != null && name.length() <= MAX_NAME_LENGTH && NAME.matcher(name).matches();
    }

    private static void checkName(String field, String name, List<FieldError> errors) {
        if (name == null || name.isBlank()) {
            errors.add(new FieldError(field, "is required"));
        } else if (!NAME.matcher(name).matches()) {
            errors.add(new FieldError(field, "'" + name + "' is not a valid Swarm service name (letters, digits, '-' and '_',"
                    + " starting and ending with a letter or digit)"));
        }
    }

    private static void checkSpec(WorkloadSpec spec, WorkloadKind kind, List<FieldError> errors) {
        if (spec == null) {
            errors.add(new FieldError("spec", "is required"));
            return;
        }
        if (spec.image() == null || spec.image().isBlank()) {
            errors.add(new FieldError("spec.image", "is required"));
        } else if (!ImageReference.isValid(spec.image())) {
            errors.add(new FieldError("spec.image", "'" + spec.image() + "' is not a valid image reference"));
        }
        if (kind == WorkloadKind.DAEMON && spec.replicas() != null) {
            errors.add(new FieldError("spec.replicas",
                    "a DAEMON (Swarm global service) runs one task per eligible node and takes no replica count"));
        } else if (spec.replicas() != null && spec.replicas() < 0) {
            errors.add(new FieldError("spec.replicas", "must be 0 or more"));
        }
        Set<String> published = new HashSet<>();
        for (int i = 0; i < spec.ports().size(); i++) {
            PortMapping port = spec.ports().get(i);
            String field = "spec.ports[" + i + "]";
            if (port.containerPort() < 1 || port.containerPort() > 65535) {
                errors.add(new FieldError(field + ".containerPort", "must be 1..65535"));
            }
            if (port.publishedPort() != null && (port.publishedPort() < 1 || port.publishedPort() > 65535)) {
                errors.add(new FieldError(field + ".publishedPort", "must be 1..65535"));
            } else if (port.publishedPort() != null && !published.add(port.publishedPort() + "/" + port.protocol())) {
                errors.add(new FieldError(field + ".publishedPort", "port " + port.publishedPort() + " is published twice"));
            }
            if (!PROTOCOLS.contains(port.protocol())) {
                errors.add(new FieldError(field + ".protocol", "must be tcp, udp or sctp"));
            }
        }
        if (spec.resources().cpuMillis() != null && spec.resources().cpuMillis() <= 0) {
            errors.add(new FieldError("spec.resources.cpuMillis", "must be positive"));
        }
        if (spec.resources().memoryBytes() != null && spec.resources().memoryBytes() <= 0) {
            errors.add(new FieldError("spec.resources.memoryBytes", "must be positive"));
        }
        spec.env().keySet().forEach(key -> {
            if (key.isEmpty() || key.contains("=")) {
                errors.add(new FieldError("spec.env", "'" + key + "' is not a valid variable name"));
            }
        });
        for (int i = 0; i < spec.constraints().size(); i++) {
            String constraint = spec.constraints().get(i);
            // Swarm placement constraints only know these two operators (docker service create --constraint)
            if (constraint == null || !(constraint.contains("==") || constraint.contains("!="))) {
                errors.add(new FieldError("spec.constraints[" + i + "]", "must be 'attribute==value' or 'attribute!=value'"));
            }
        }
        checkHealthCheck(spec.healthCheck(), errors);
        checkSecretRefs(spec.secrets(), errors);
        if (spec.runtime() != null && !spec.runtime().isBlank()) {
            errors.add(new FieldError("spec.runtime", "applies to agent engines only"));
        }
    }

    /** Swarm gives secrets and configs to a task only as files; which objects exist is checked against the engine. */
    private static void checkSecretRefs(List<SecretRef> refs, List<FieldError> errors) {
        for (int i = 0; i < refs.size(); i++) {
            SecretRef ref = refs.get(i);
            String field = "spec.secrets[" + i + "]";
            if (ref == null) {
                errors.add(new FieldError(field, "is required"));
                continue;
            }
            if (ref.source() == null || ref.source().isBlank()) {
                errors.add(new FieldError(field + ".source", "is required"));
            }
            if (ref.givesEnv()) {
                errors.add(new FieldError(field + ".env", "Docker Swarm gives secrets and configs to a task only as files:"
                        + " set path instead of env"));
            } else if (ref.path() == null || ref.path().isBlank()) {
                errors.add(new FieldError(field + ".path", "is required (the file, or with no key the directory)"));
            } else if (ref.path().contains("..") || ref.path().endsWith("/") && ref.key() != null) {
                errors.add(new FieldError(field + ".path", "must be a file path without '..'"));
            }
            if (ref.mode() != null && (ref.mode() < 0 || ref.mode() > 0777)) {
                errors.add(new FieldError(field + ".mode", "must be permission bits 0..0777"));
            }
        }
    }

    private static void checkHealthCheck(HealthCheck check, List<FieldError> errors) {
        if (check == null) {
            return;
        }
        switch (check.type()) {
            case HTTP, TCP -> {
                if (check.port() == null || check.port() < 1 || check.port() > 65535) {
                    errors.add(new FieldError("spec.healthCheck.port", "must be 1..65535"));
                }
                if (check.type() == HealthCheck.Type.HTTP && check.path() != null && !check.path().isEmpty()
                        && (!check.path().startsWith("/") || check.path().matches(".*[\\s'\"`$;|&<>\\\\].*"))) {
                    errors.add(new FieldError("spec.healthCheck.path", "must start with '/' and hold no spaces or shell characters"));
                }
            }
            case COMMAND -> {
                if (check.command().isEmpty()) {
                    errors.add(new FieldError("spec.healthCheck.command", "is required for a command check"));
                }
            }
            default -> errors.add(new FieldError("spec.healthCheck.type", "is not supported"));
        }
    }

    private static void throwIfAny(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            StringBuilder message = new StringBuilder();
            for (FieldError error : errors) {
                message.append(message.length() == 0 ? "" : "; ").append(error.field()).append(": ").append(error.message());
            }
            throw new InvalidSpecException(message.toString(), errors);
        }
    }
}
