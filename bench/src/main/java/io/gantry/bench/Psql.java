package io.gantry.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * SQL run with the {@code psql} client against a server's embedded PostgreSQL: the bench loads rows straight into the
 * database (a million through the API's sync would take most of an hour here) without a JDBC driver on its classpath.
 */
record Psql(String port, String password) {
    /** Runs {@code sql} (several statements, stopping at the first error) and returns what psql printed. */
    String run(String sql, long timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(List.of("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", "postgres")).redirectErrorStream(true);
        if (password != null) {
            pb.environment().put("PGPASSWORD", password);
        }
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write(sql.getBytes(StandardCharsets.UTF_8));
        }
        // read before waiting: a full pipe would block psql
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("psql did not finish within " + timeoutSeconds + " s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("psql failed (" + p.exitValue() + "): " + out);
        }
        return out.strip();
    }
}
