package io.gantry.agent.task;

import io.gantry.agent.runtime.TaskUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The tasks' own working directories, {@code <root>/<namespace>/<task>}, outside the agent's data dir (and so
 * outside the server's, for the embedded agent): a task's default working directory and {@code HOME}. Each is
 * owned by the task user with mode 0700; the levels above are the agent's with mode 0711, so a task reaches its own
 * directory without listing the others. Tasks share one task user, so this keeps them out of the agent's files, not
 * out of each other's.
 */
public final class TaskDirs {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final Path root;
    private final Optional<TaskUser> user;

    /** @param user owner of each task's directory; empty when tasks run as the agent's own user */
    public TaskDirs(Path root, Optional<TaskUser> user) {
        this.root = root;
        this.user = user;
        try {
            Files.createDirectories(root);
            secure(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the task directory " + root, e);
        }
    }

    /**
     * The default root, {@code <java.io.tmpdir>/gantry-tasks-<agent uid>/<digest of the data dir>} (so that agents
     * sharing a host, a pool in tests or several servers, never share a task's directory, and agents of different
     * users never trip over each other's), with its parent made safe.
     */
    public static Path defaultRoot(Path dataDir) {
        Path parent = Path.of(System.getProperty("java.io.tmpdir"), "gantry-tasks-" + Math.max(0, TaskUser.agentUid()));
        try {
            Files.createDirectories(parent);
            secure(parent);
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(dataDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return parent.resolve(HexFormat.of().formatHex(digest, 0, 6));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the task directory " + parent, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    public Path root() {
        return root;
    }

    /** The task's directory, created (again) if missing and handed to the task user. */
    public Path dir(String namespace, String taskId) {
        Path ns = root.resolve(namespace);
        Path dir = ns.resolve(taskId);
        try {
            Files.createDirectories(dir);
            secure(ns);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            if (user.isPresent()) {
                Files.setAttribute(dir, "unix:uid", user.get().uid(), NOFOLLOW);
                Files.setAttribute(dir, "unix:gid", user.get().gid(), NOFOLLOW);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the working directory of task " + taskId, e);
        }
        return dir;
    }

    /** Removes the task's directory; symbolic links the task left are removed, never followed. */
    public void delete(String namespace, String taskId) {
        Path dir = root.resolve(namespace).resolve(taskId);
        if (!Files.exists(dir, NOFOLLOW)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the working directory of task " + taskId, e);
        }
    }

    /**
     * A level above the tasks' directories: a real directory of the agent's (not a link or a directory another user
     * made beforehand in a shared tmp), traversable but not listable by others.
     */
    static void secure(Path level) throws IOException {
        if (Files.isSymbolicLink(level) || !Files.isDirectory(level, NOFOLLOW)) {
            throw new IOException(level + " is not a directory (a symbolic link?)");
        }
        int owner = (Integer) Files.getAttribute(level, "unix:uid", NOFOLLOW);
        int self = TaskUser.agentUid();
        if (self >= 0 && owner != self) {
            throw new IOException(level + " belongs to uid " + owner + ", not to the agent (uid " + self + ")");
        }
        Files.setPosixFilePermissions(level, PosixFilePermissions.fromString("rwx--x--x"));
    }
}
