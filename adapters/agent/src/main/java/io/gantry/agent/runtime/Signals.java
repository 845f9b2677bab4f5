package io.gantry.agent.runtime;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Sends signals with kill(1): Java can signal one process, but not a process group, nor with any signal. */
public final class Signals {
    public static final int SIGINT = 2;
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;

    private Signals() {
    }

    /** Signals every process of group {@code pgrp}; quietly does nothing when the group is gone. */
    public static void group(long pgrp, int signal) {
        if (pgrp > 1) {
            run(List.of("kill", "-" + signal, "--", "-" + pgrp));
        }
    }

    public static void processes(List<Long> pids, int signal) {
        if (pids.isEmpty()) {
            return;
        }
        List<String> argv = new ArrayList<>(List.of("kill", "-" + signal, "--"));
        pids.stream().filter(p -> p > 1).forEach(p -> argv.add(Long.toString(p)));
        run(argv);
    }

    /** Runs a short command, waiting at most 5 s; returns its exit code, or -1 when it did not finish. */
    static int run(List<String> argv) {
        return run(argv, 5);
    }

    /** Runs a command, waiting at most {@code seconds}; returns its exit code, or -1 when it did not finish. */
    static int run(List<String> argv, long seconds) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
