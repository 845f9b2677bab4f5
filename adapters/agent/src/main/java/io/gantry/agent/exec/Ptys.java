package io.gantry.agent.exec;

import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts processes on pseudo-terminals through pty4j. pty4j and JNA load native libraries that they would otherwise
 * unpack to a predictable directory under /tmp, where another local user could plant their own before an agent
 * running as root loads them; they are unpacked into the agent's private data dir instead and the libraries
 * pointed there, unless the operator has pointed them elsewhere.
 */
final class Ptys {
    /** pty4j's {@code PtyUtil.PREFERRED_NATIVE_FOLDER_KEY}: it looks for {@code <folder>/linux/<arch>/libpty.so}. */
    static final String PTY4J_FOLDER = "pty4j.preferred.native.folder";
    static final String JNA_TMPDIR = "jna.tmpdir";
    private static final String PTY4J_NATIVE = "resources/com/pty4j/native/";
    /** Every Linux architecture pty4j 0.13 ships a libpty.so for, named as pty4j names them. */
    private static final List<String> ARCHITECTURES = List.of("x86-64", "aarch64", "x86", "arm", "ppc64le", "mips64el",
            "riscv64");
    /** The values this class set last, so that a later agent in the same JVM (tests) replaces its own setting only. */
    private static final Map<String, String> SET_HERE = new HashMap<>();

    private Ptys() {
    }

    /** Unpacks pty4j's Linux libraries under {@code dir} and points pty4j and JNA there (see the class comment). */
    static synchronized void useNativesIn(Path dir) {
        try {
            for (String arch : ARCHITECTURES) {
                String resource = PTY4J_NATIVE + "linux/" + arch + "/libpty.so";
                try (InputStream in = Ptys.class.getClassLoader().getResourceAsStream(resource)) {
                    if (in != null) {
                        Path target = dir.resolve("linux").resolve(arch).resolve("libpty.so");
                        Files.createDirectories(target.getParent());
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            Files.createDirectories(dir.resolve("jna"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the terminal libraries into " + dir, e);
        }
        pointAt(PTY4J_FOLDER, dir);
        pointAt(JNA_TMPDIR, dir.resolve("jna"));
    }

    /** Sets {@code key} to {@code dir} unless someone else (the operator) set it. */
    private static void pointAt(String key, Path dir) {
        String current = System.getProperty(key);
        if (current == null || current.equals(SET_HERE.get(key))) {
            SET_HERE.put(key, dir.toAbsolutePath().toString());
            System.setProperty(key, dir.toAbsolutePath().toString());
        }
    }

    /**
     * Starts what {@code builder} describes (argv, environment, working directory) on a new pseudo-terminal of
     * {@code cols x rows}, as the leader of its own session with the terminal as its controlling one; stderr goes
     * to the terminal too, as on any terminal.
     */
    static PtyProcess start(ProcessBuilder builder, int cols, int rows) throws IOException {
        return new PtyProcessBuilder(builder.command().toArray(String[]::new))
                .setEnvironment(builder.environment())
                .setDirectory(builder.directory() == null ? "/" : builder.directory().getPath())
                .setInitialColumns(cols).setInitialRows(rows)
                .setRedirectErrorStream(true)
                .setConsole(false)
                .start();
    }
}
