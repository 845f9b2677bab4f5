package io.gantry.swarm;

import io.gantry.spi.json.Json;
import io.gantry.spi.InvalidSpecException.FieldError;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The values of a Compose service's fields in Compose's own notations (short and long port syntax, Go
 * durations, Docker's byte sizes, commands as a string or a list), read into ServiceSpec parts. Every value
 * that is wrong adds a field error at its path; reading goes on, so one answer names every mistake.
 */
final class ComposeValues {
    private static final Pattern BYTES = Pattern.compile("^([0-9]+(?:\\.[0-9]+)?)\\s*([kmgt]?)b?$");
    private static final Pattern DURATION_PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|ms|s|m|h)");
    private static final Pattern SHORT_PORT =
            Pattern.compile("^(?:(?:[0-9.]+:)?([0-9]+):)?([0-9]+)(?:/(tcp|udp|sctp))?$");
    static final long MIB = 1024L * 1024L;
    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "sctp");

    private ComposeValues() {
    }

    static void ports(Object value, String path, ObjectNode spec, List<FieldError> errors) {
        if (value == null) {
            return;
        }
        if (!(value instanceof List<?> list)) {
            errors.add(new FieldError(path, "must be a list"));
            return;
        }
        ArrayNode out = spec.putObject("EndpointSpec").putArray("Ports");
        for (int i = 0; i < list.size(); i++) {
            Object p = list.get(i);
            String at = path + "[" + i + "]";
            ObjectNode port = Json.MAPPER.createObjectNode();
            if (p instanceof Map<?, ?> m) {
                Integer target = m.get("target") instanceof Integer t && isPort(t) ? t : null;
                if (target == null) {
                    errors.add(new FieldError(at + ".target", "must be a port number (1-65535)"));
                    continue;
                }
                Object protocol = m.get("protocol") == null ? "tcp" : m.get("protocol");
                if (!(protocol instanceof String p_) || !PROTOCOLS.contains(p_.toLowerCase(Locale.ROOT))) {
                    errors.add(new FieldError(at + ".protocol", "must be tcp, udp or sctp"));
                    continue;
                }
                port.put("Protocol", p_.toLowerCase(Locale.ROOT));
                port.put("TargetPort", target);
                port.put("PublishMode", "host".equals(m.get("mode")) ? SwarmServiceWriter.PUBLISH_MODE_HOST
                        : SwarmServiceWriter.PUBLISH_MODE_INGRESS);
                Object published = m.get("published");
                if (published != null) {
                    Integer number = port(String.valueOf(published));
                    if (number == null) {
                        errors.add(new FieldError(at + ".published", "must be a port number (1-65535; ranges are not supported)"));
                        continue;
                    }
                    port.put("PublishedPort", number);
                }
            } else if (p instanceof String || p instanceof Integer) {
                Matcher short_ = SHORT_PORT.matcher(String.valueOf(p).trim());
                if (!short_.matches()) {
                    errors.add(new FieldError(at, "'" + p + "' is not [HOST:]CONTAINER[/PROTOCOL]"));
                    continue;
                }
                Integer target = port(short_.group(2));
                Integer published = short_.group(1) == null ? null : port(short_.group(1));
                if (target == null || (short_.group(1) != null && published == null)) {
                    errors.add(new FieldError(at, "'" + p + "' has a port outside 1-65535"));
                    continue;
                }
                port.put("Protocol", short_.group(3) == null ? "tcp" : short_.group(3));
                port.put("TargetPort", target);
                port.put("PublishMode", SwarmServiceWriter.PUBLISH_MODE_INGRESS);
                if (published != null) {
                    port.put("PublishedPort", published);
                }
            } else {
                errors.add(new FieldError(at, "must be a port string or a mapping"));
                continue;
            }
            out.add(port);
        }
    }

    /** A port number 1-65535 written in decimal, or {@code null}. */
    private static Integer port(String text) {
        if (!text.matches("[0-9]{1,5}")) {
            return null;
        }
        int n = Integer.parseInt(text);
        return isPort(n) ? n : null;
    }

    private static boolean isPort(int n) {
        return n >= 1 && n <= 65535;
    }

    static void healthcheck(Object value, String path, ObjectNode container, List<FieldError> errors) {
        if (value == null) {
            return;
        }
        if (!(value instanceof Map<?, ?> check)) {
            errors.add(new FieldError(path, "must be a mapping"));
            return;
        }
        if (Boolean.TRUE.equals(check.get("disable"))) {
            return;
        }
        Object test = check.get("test");
        List<String> words = test instanceof String s ? List.of("CMD-SHELL", s) : words(test, path + ".test", errors);
        if (words.isEmpty()) {
            return;
        }
        ObjectNode out = container.putObject("Healthcheck");
        putStrings(out, "Test", words);
        for (String field : List.of("interval", "timeout")) {
            Object duration = check.get(field);
            if (duration != null) {
                Long nanos = nanos(String.valueOf(duration));
                if (nanos == null) {
                    errors.add(new FieldError(path + "." + field, "'" + duration + "' is not a duration such as 10s or 1m30s"));
                } else {
                    out.put(field.equals("interval") ? "Interval" : "Timeout", nanos);
                }
            }
        }
    }

    /** A string (split on blanks, as Compose does for a plain command) or a list of strings. */
    static List<String> words(Object value, String path, List<FieldError> errors) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof String s) {
            return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
        }
        if (value instanceof List<?> list) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                Object item = list.get(i);
                if (item instanceof Map || item instanceof List || item == null) {
                    errors.add(new FieldError(path + "[" + i + "]", "must be a string"));
                } else {
                    out.add(String.valueOf(item));
                }
            }
            return out;
        }
        errors.add(new FieldError(path, "must be a string or a list of strings"));
        return List.of();
    }

    static List<String> environment(Object value, String path, List<FieldError> errors) {
        return environmentLike(value, path, errors);
    }

    /** {@code KEY: value} mapping or {@code - KEY=value} list, as {@code environment} and {@code labels} accept. */
    static List<String> environmentLike(Object value, String path, List<FieldError> errors) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof Map<?, ?> map) {
            List<String> out = new ArrayList<>();
            map.forEach((k, v) -> {
                if (v instanceof Map || v instanceof List) {
                    errors.add(new FieldError(path + "." + k, "must be a string, a number or a boolean"));
                } else {
                    out.add(k + "=" + (v == null ? "" : v));
                }
            });
            return out;
        }
        return words(value instanceof String ? List.of(value) : value, path, errors);
    }

    /** Docker's byte notation: binary units, {@code b} optional ({@code 256M}, {@code 1gb}, {@code 1024k}). */
    static Long bytes(String value) {
        Matcher m = BYTES.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        try {
            return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1L << shift)).longValueExact();
        } catch (ArithmeticException notWhole) {
            return null;
        }
    }

    /** Go's duration notation as Compose uses it: {@code 10s}, {@code 1m30s}, {@code 500ms}. */
    static Long nanos(String value) {
        String v = value.trim();
        Matcher m = DURATION_PART.matcher(v);
        long total = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                return null;
            }
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            try {
                BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
                total = Math.addExact(total, nanos.setScale(0, RoundingMode.DOWN).longValueExact());
            } catch (ArithmeticException tooLong) {
                return null;
            }
            end = m.end();
        }
        return end == v.length() && end > 0 ? total : null;
    }

    /** Sets the array unless there is nothing to set: Compose leaves an unset list out. */
    static void putStrings(ObjectNode parent, String field, List<String> values) {
        if (!values.isEmpty()) {
            ArrayNode array = parent.putArray(field);
            values.forEach(array::add);
        }
    }
}
