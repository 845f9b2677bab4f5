package io.gantry.kubernetes;

import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import com.pty4j.WinSize;
import java.io.File;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The exec emulator's terminals: a process on a real pty (pty4j). Apart from {@link PodExecEmulator} so that only
 * terminals need pty4j: a module using this test-jar without it still runs plain commands.
 */
final class PtyTerminal {
    private PtyTerminal() {
    }

    /** Starts {@code command} on a new 80x24 pty, as {@code TERM=xterm}; stdout and stderr are its one output. */
    static Process start(List<String> command, File directory) throws IOException {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("TERM", "xterm");
        return new PtyProcessBuilder(command.toArray(String[]::new)).setEnvironment(env)
                .setDirectory(directory.getPath()).setInitialColumns(80).setInitialRows(24).start();
    }

    /** Sets the pty's size (the process gets SIGWINCH); a process without a pty has none to set. */
    static void resize(Process process, int cols, int rows) {
        if (process instanceof PtyProcess pty) {
            pty.setWinSize(new WinSize(cols, rows));
        }
    }
}
