package io.gantry.bench;

import java.io.IOException;
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
            Process p = new ProcessBuilder(docker, "info", "--format", "{{.Swarm.LocalNodeState}}").redirectErrorStream(true)
                    .start();
            String state = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return state.equals("active") ? null : "Swarm is " + state + " (run scripts/swarm-test-env.sh)";
        } catch (IOException | IllegalStateException e) {
            return "no dockerd with " + IMAGE + " (run scripts/swarm-test-env.sh)";
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
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }
}
