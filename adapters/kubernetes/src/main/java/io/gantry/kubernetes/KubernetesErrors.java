package io.gantry.kubernetes;

import com.google.gson.JsonParseException;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineException;
import io.gantry.spi.EngineForbiddenException;
import io.gantry.spi.EngineMessages;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.WorkloadNotFoundException;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1Status;
import io.kubernetes.client.openapi.models.V1StatusCause;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * API server failures as port exceptions. The body of a failed call is a {@code Status} object
 * (api-conventions.md, "Response Status Kind"): {@code reason} and {@code code} say what went
 * wrong, and for 422 {@code details.causes[]} name each rejected field.
 */
final class KubernetesErrors {
    private static final Pattern CONTAINER_FIELD =
            Pattern.compile("^spec\\.(?:jobTemplate\\.spec\\.)?template\\.spec\\.containers\\[0\\]\\.(\\w+)(.*)$");

    private KubernetesErrors() {
    }

    /**
     * Why a resource cannot be listed, for the degraded message, or {@code null} when the failure is not
     * one of these: 403 (RBAC) or 404 (an API the server does not serve, e.g. batch/v1 CronJobs before
     * Kubernetes 1.21). {@code scope} null means all namespaces.
     */
    static String unreadable(int code, String resource, String scope) {
        String where = scope == null ? " in all namespaces" : " in namespace " + scope;
        return switch (code) {
            case 403 -> "cannot list " + resource + where;
            case 404 -> "the API server does not serve " + resource;
            default -> null;
        };
    }

    /**
     * @param ref the workload the call was about, or {@code null} when none (then a 404 is not a
     *            missing workload but a missing namespace or path)
     */
    static EngineException toException(ApiException e, WorkloadRef ref) {
        if (e.getCode() == 0) {
            String why = e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
            return new EngineUnavailableException("the API server did not answer: " + why, e);
        }
        V1Status status = statusOf(e.getResponseBody());
        return toException(e.getCode(), status, message(e.getCode(), status), ref, e);
    }

    static EngineException toException(V1Status status, WorkloadRef ref) {
        int code = status.getCode() == null ? 500 : status.getCode();
        return toException(code, status, message(code, status), ref, null);
    }

    /** The Status's own message, sanitized; only the code when the body was not a Status (a proxy's page...). */
    static String message(int code, V1Status status) {
        String message = EngineMessages.sanitize(status == null ? null : status.getMessage());
        return message.isEmpty() ? "HTTP " + code + " from the API server" : message;
    }

    private static EngineException toException(int code, V1Status status, String message, WorkloadRef ref,
                                               Throwable cause) {
        return switch (code) {
            case 401 -> new EngineForbiddenException("the API server rejected the credentials (401 Unauthorized)");
            case 403 -> new EngineForbiddenException(message);
            case 404 -> ref != null ? new WorkloadNotFoundException(ref.nativeId())
                    : InvalidSpecException.of(notFoundField(status), message);
            case 409 -> new EngineConflictException(message, cause);
            case 422 -> new InvalidSpecException(message, fieldErrors(status, message));
            case 400 -> new InvalidSpecException(message, List.of(new InvalidSpecException.FieldError("spec", message)));
            default -> new EngineUnavailableException("the API server failed: " + message, cause);
        };
    }

    /** A 404 on a create names what is missing: usually the namespace. */
    private static String notFoundField(V1Status status) {
        boolean namespace = status != null && status.getDetails() != null
                && "namespaces".equals(status.getDetails().getKind());
        return namespace ? "namespace" : "spec";
    }

    private static List<InvalidSpecException.FieldError> fieldErrors(V1Status status, String message) {
        List<InvalidSpecException.FieldError> errors = new ArrayList<>();
        boolean service = status != null && status.getDetails() != null
                && "Service".equals(status.getDetails().getKind());
        if (status != null && status.getDetails() != null && status.getDetails().getCauses() != null) {
            for (V1StatusCause c : status.getDetails().getCauses()) {
                errors.add(new InvalidSpecException.FieldError(modelField(c.getField(), service),
                        EngineMessages.sanitize(c.getMessage() == null ? c.getReason() : c.getMessage())));
            }
        }
        if (errors.isEmpty()) {
            errors.add(new InvalidSpecException.FieldError("spec", message));
        }
        return errors;
    }

    /**
     * A Kubernetes field path as the model path the user wrote ({@code spec.template.spec.containers[0].image}
     * is {@code spec.image}); paths the model has no field for are returned as Kubernetes wrote them.
     */
    static String modelField(String field, boolean onService) {
        if (field == null || field.isEmpty()) {
            return "spec";
        }
        if (field.equals("metadata.name")) {
            return "name";
        }
        if (field.equals("metadata.namespace")) {
            return "namespace";
        }
        if (field.startsWith("metadata.labels")) {
            return "labels";
        }
        if (onService && field.startsWith("spec.ports")) {
            return "spec.ports";
        }
        if (field.equals("spec.replicas")) {
            return "spec.replicas";
        }
        if (field.matches("^spec\\.(?:jobTemplate\\.spec\\.)?template\\.spec\\.nodeSelector.*")) {
            return "spec.constraints";
        }
        Matcher m = CONTAINER_FIELD.matcher(field);
        if (!m.matches()) {
            return field;
        }
        String rest = m.group(2);
        return switch (m.group(1)) {
            case "image", "command", "args", "env" -> "spec." + m.group(1);
            case "ports" -> "spec.ports" + rest;
            case "resources" -> rest.contains("memory") ? "spec.resources.memoryBytes"
                    : rest.contains("cpu") ? "spec.resources.cpuMillis" : "spec.resources";
            case "readinessProbe", "livenessProbe" -> "spec.healthCheck";
            default -> field;
        };
    }

    static V1Status statusOf(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            V1Status status = KubernetesJson.parse(body, V1Status.class);
            return status != null && "Status".equals(status.getKind()) ? status : null;
        } catch (JsonParseException | IllegalStateException notJson) {
            return null;
        }
    }

    /** Why a resource cannot be listed (403, 404); anything else is not a degradation and is thrown. */
    static String unreadable(ApiException e, String resource, String scope) {
        String why = unreadable(e.getCode(), resource, scope);
        if (why == null) {
            throw toException(e, null);
        }
        return why;
    }

    @FunctionalInterface
    interface ApiCall<T> {
        T run() throws ApiException;
    }

    /** Runs an API call; its failure leaves as the port's exception ({@code ref} names the workload of a 404). */
    static <T> T call(ApiCall<T> call, WorkloadRef ref) {
        try {
            return call.run();
        } catch (ApiException e) {
            throw KubernetesErrors.toException(e, ref);
        } catch (EngineException e) {
            throw e;
        } catch (RuntimeException e) {
            throw unexpected(e);
        }
    }

    /** A body that does not parse means something answered that is not an API server (a proxy page...). */
    static EngineException unexpected(RuntimeException e) {
        if (e instanceof EngineException engine) {
            return engine;
        }
        return new EngineUnavailableException("unexpected answer from the API server: " + e.getMessage(), e);
    }
}
