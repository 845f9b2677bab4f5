package io.gantry.marathon;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import com.pty4j.WinSize;

/** A nested container's process on a real pty (pty4j), as the Mesos IO switchboard gives a container with a tty. */
final class PtyChild extends NestedChild {
    private final PtyProcess process;

    private PtyChild(PtyProcess process) {
        this.process = process;
    }

    static PtyChild start(List<String> argv, int cols, int rows, Path dir) throws IOException {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("TERM", "xterm");
        PtyProcess process = new PtyProcessBuilder(argv.toArray(String[]::new)).setDirectory(dir.toString())
                .setEnvironment(env).setInitialColumns(cols).setInitialRows(rows).setRedirectErrorStream(true)
                .setConsole(false).start();
        return new PtyChild(process);
    }

    @Override
    InputStream stdout() {
        return process.getInputStream();
    }

    @Override
    InputStream stderr() {
        return null;
    }

    @Override
    OutputStream stdin() {
        return process.getOutputStream();
    }

    @Override
    boolean tty() {
        return true;
    }

    @Override
    void resize(int cols, int rows) {
        process.setWinSize(new WinSize(cols, rows));
    }

    @Override
    Process process() {
        return process;
    }
}
