package io.gantry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * This machine's dockerd as the scale benchmark uses it: present when its Swarm is active and the test image
 * ({@code scripts/swarm-test-env.sh}) is there; one service of replicas 0 (no container runs) whose labels the
 * freshness rows change.
 */
final class Swarm {
    static final String IMAGE = "gantry-test/busybox:1";

    private Swarm() {
    }

    static boolean available(String docker) {
        return whyAbsent(docker) == null;
    }

    /** Why dockerd cannot be used here, or {@code null} when it can. */
    static String whyAbsent(String docker) {
        try {
            run(docker, "image", "inspect", "--format", "{{.Id}}", IMAGE);
            run(docker, "node", "ls", "-q");
            return null;
        } catch (IOException | IllegalStateException e) {
            // "docker node ls" fails unless this daemon is a Swarm manager
            return "no active Swarm with " + IMAGE + " on this dockerd (run scripts/swarm-test-env.sh)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    static void createService(String docker, String name) throws IOException, InterruptedException {
        run(docker, "service", "create", "-d", "-q", "--no-resolve-image", "--replicas", "0", "--name", name,
                "--label", "io.gantry.bench=scale", IMAGE, "sleep", "3600");
    }

    static void remove(String docker, String name) {
        try {
            run(docker, "service", "rm", name);
        } catch (IOException | IllegalStateException e) {
            System.err.println("could not remove service " + name + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs a command to its end (at most a minute); a failure throws with its output. */
    static void run(String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("gantry-bench-cmd-", ".out");
        try {
            // output to a file, not a pipe: waiting on a pipe's end has no deadline
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            p.getOutputStream().close();
            boolean ended = p.waitFor(60, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly();
            }
            if (!ended || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + (ended ? " failed: " : " did not end in 60 s: ")
                        + Files.readString(out).trim());
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
