package io.gantry.swarm;

import io.gantry.spi.HealthCheck;
import io.gantry.spi.json.Json;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The model's health checks as a ContainerSpec's {@code Healthcheck} and back. Swarm health checks only run
 * commands, so HTTP and TCP checks are written as probe commands of a fixed shape, and read back as HTTP and
 * TCP checks when they have that shape.
 */
final class SwarmHealthChecks {
    static final long NANOS_PER_SECOND = 1_000_000_000L;
    // The probes Gantry writes for HTTP and TCP checks: Swarm health checks only run commands.
    private static final String HTTP_PROBE = "wget -q -O /dev/null http://127.0.0.1:%d%s || exit 1";
    private static final String TCP_PROBE = "nc -w 2 127.0.0.1 %d </dev/null || exit 1";
    private static final Pattern HTTP_PROBE_READ =
            Pattern.compile("^wget -q -O /dev/null http://127\\.0\\.0\\.1:(\\d{1,5})(/\\S*) \\|\\| exit 1$");
    private static final Pattern TCP_PROBE_READ = Pattern.compile("^nc -w 2 127\\.0\\.0\\.1 (\\d{1,5}) </dev/null \\|\\| exit 1$");

    private SwarmHealthChecks() {
    }

    /** The check of a {@code Healthcheck}, or {@code null} for none or {@code NONE}. */
    static HealthCheck read(JsonNode healthcheck) {
        List<String> test = Json.strings(healthcheck.path("Test"));
        if (test.isEmpty() || "NONE".equals(test.get(0))) {
            return null;
        }
        Integer interval = seconds(healthcheck.path("Interval").asLong(0));
        Integer timeout = seconds(healthcheck.path("Timeout").asLong(0));
        if ("CMD-SHELL".equals(test.get(0))) {
            String shell = String.join(" ", test.subList(1, test.size()));
            Matcher http = HTTP_PROBE_READ.matcher(shell);
            if (http.matches()) {
                return new HealthCheck(HealthCheck.Type.HTTP, http.group(2), Integer.parseInt(http.group(1)), null,
                        interval, timeout);
            }
            Matcher tcp = TCP_PROBE_READ.matcher(shell);
            if (tcp.matches()) {
                return new HealthCheck(HealthCheck.Type.TCP, null, Integer.parseInt(tcp.group(1)), null, interval, timeout);
            }
            return new HealthCheck(HealthCheck.Type.COMMAND, null, null, List.of("/bin/sh", "-c", shell), interval, timeout);
        }
        List<String> command = "CMD".equals(test.get(0)) ? test.subList(1, test.size()) : test;
        return new HealthCheck(HealthCheck.Type.COMMAND, null, null, command, interval, timeout);
    }

    private static Integer seconds(long nanos) {
        return nanos <= 0 ? null : (int) Math.max(1, Math.round(nanos / (double) NANOS_PER_SECOND));
    }

    /** Writes the check into a ContainerSpec, leaving one that reads as the same check as it is. */
    static void write(ObjectNode container, HealthCheck check) {
        JsonNode old = container.path("Healthcheck");
        if (Objects.equals(read(old), check)) {
            return;
        }
        if (check == null) {
            container.remove("Healthcheck");
            return;
        }
        ObjectNode out = container.putObject("Healthcheck");
        ArrayNode test = out.putArray("Test");
        switch (check.type()) {
            case HTTP -> test.add("CMD-SHELL").add(String.format(Locale.ROOT, HTTP_PROBE, check.port(),
                    check.path() == null || check.path().isEmpty() ? "/" : check.path()));
            case TCP -> test.add("CMD-SHELL").add(String.format(Locale.ROOT, TCP_PROBE, check.port()));
            case COMMAND -> {
                List<String> command = check.command();
                if (command.size() == 3 && (command.get(0).equals("/bin/sh") || command.get(0).equals("sh"))
                        && command.get(1).equals("-c")) {
                    test.add("CMD-SHELL").add(command.get(2));
                } else {
                    test.add("CMD");
                    command.forEach(test::add);
                }
            }
            default -> throw new IllegalStateException("unknown health check type " + check.type());
        }
        if (check.intervalSeconds() != null) {
            out.put("Interval", check.intervalSeconds() * NANOS_PER_SECOND);
        }
        if (check.timeoutSeconds() != null) {
            out.put("Timeout", check.timeoutSeconds() * NANOS_PER_SECOND);
        }
    }
}
