package io.gantry.agent.runtime;

import io.gantry.agent.task.AgentFailure;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds executables the way execvp(3) does, so that a missing command fails the start with a clear message. */
final class Commands {
    private Commands() {
    }

    static String resolve(String command, String path) {
        if (command.contains("/")) {
            if (Files.isExecutable(Path.of(command)) && !Files.isDirectory(Path.of(command))) {
                return command;
            }
            throw AgentFailure.precondition("command '" + command + "' does not exist or is not executable");
        }
        for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return candidate.toString();
            }
        }
        throw AgentFailure.precondition("command '" + command + "' was not found on PATH");
    }

    /** Waits until /proc shows the new process, which can lag the fork by a moment. */
    static long startTicks(long pid) {
        for (int i = 0; i < 200; i++) {
            var stat = Proc.stat(pid);
            if (stat.isPresent()) {
                return stat.get().startTicks();
            }
            Thread.onSpinWait();
        }
        return 0;
    }
}
