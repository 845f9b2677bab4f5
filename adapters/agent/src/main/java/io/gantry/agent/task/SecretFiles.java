package io.gantry.agent.task;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.SecretRef;
import io.gantry.agent.runtime.LaunchRequest;
import io.gantry.agent.runtime.TaskUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The files of a task's secret and config references, written at each start into a directory of the task's own,
 * {@code <root>/<namespace>_<task>}: mode 0700 and owned by the task user, each file of the reference's mode (0400 by
 * default) and owned by that user, so that only the task's user (and root) reads them. The root is on a tmpfs when
 * one is writable ({@code /dev/shm}, {@code /run}), so values never reach a disk; else beside the tasks' working
 * directories (not in the agent's data dir, which the task user cannot enter). Removed when the task's process
 * ends, and whatever an agent that died left behind at the next start.
 *
 * <p>Layouts: a raw task has no mount namespace, so its paths are taken as relative to its directory (named to it in
 * {@code GANTRY_SECRETS_DIR}), never as host paths. A runc task gets reference {@code i} in {@code <dir>/<i>},
 * bind-mounted read-only at its path.
 */
public final class SecretFiles {
    private static final Logger LOG = LoggerFactory.getLogger(SecretFiles.class);
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final int DEFAULT_MODE = 0400;

    private final Path root;
    private final Optional<TaskUser> user;

    /** @param user owner of the files; empty when tasks run as the agent's own user */
    public SecretFiles(Path root, Optional<TaskUser> user) {
        this.root = root;
        this.user = user;
        try {
            Files.createDirectories(root);
            TaskDirs.secure(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the secrets directory " + root, e);
        }
    }

    /**
     * The root for an agent: {@code gantry-secrets-<name>} in the first writable tmpfs, else beside the task
     * directories.
     *
     * @param name unique per agent on the host (the task root's own name is)
     */
    public static Path defaultRoot(Path taskRoot) {
        String name = "gantry-secrets-" + Math.max(0, TaskUser.agentUid()) + "-" + taskRoot.getFileName();
        for (String tmpfs : List.of("/dev/shm", "/run")) {
            Path dir = Path.of(tmpfs);
            if (Files.isDirectory(dir) && Files.isWritable(dir)) {
                return dir.resolve(name);
            }
        }
        return taskRoot.resolveSibling(taskRoot.getFileName() + "-secrets");
    }

    public Path root() {
        return root;
    }

    /** Where the task's files are (whether or not written yet). */
    public Path dir(LaunchRequest.Identity task) {
        return root.resolve(task.name());
    }

    /** Whether the spec has references that become files. */
    static boolean hasFiles(ContainerSpec spec) {
        return spec.getSecretsList().stream().anyMatch(r -> !r.getPath().isEmpty());
    }

    /** The read-only bind mounts of a runc task's file references. */
    public List<LaunchRequest.BindMount> mounts(LaunchRequest.Identity task, ContainerSpec spec) {
        List<LaunchRequest.BindMount> mounts = new ArrayList<>();
        for (int i = 0; i < spec.getSecretsCount(); i++) {
            SecretRef ref = spec.getSecrets(i);
            if (!ref.getPath().isEmpty()) {
                Path source = dir(task).resolve(Integer.toString(i));
                mounts.add(new LaunchRequest.BindMount(ref.getKey().isEmpty() ? source : source.resolve(ref.getKey()),
                        ref.getPath()));
            }
        }
        return mounts;
    }

    /**
     * Writes the task's files afresh (values as they are now).
     *
     * @throws AgentFailure FAILED_PRECONDITION when a referenced object or key is gone; nothing stays written
     */
    void write(LaunchRequest.Identity task, ContainerSpec spec, SecretSource source) {
        remove(task);
        if (!hasFiles(spec)) {
            return;
        }
        boolean runc = "runc".equals(spec.getRuntime());
        Path dir = dir(task);
        try {
            ownedDirectory(dir);
            for (int i = 0; i < spec.getSecretsCount(); i++) {
                SecretRef ref = spec.getSecrets(i);
                if (ref.getPath().isEmpty()) {
                    continue;
                }
                Map<String, String> values = source.values(task.namespace(), ref);
                // a raw path is relative to the task's directory: '/' dropped; '..' was refused with the spec
                Path target = runc ? dir.resolve(Integer.toString(i))
                        : dir.resolve(ref.getPath().replaceFirst("^/+", "")).normalize();
                if (!target.startsWith(dir)) {
                    throw AgentFailure.invalid("spec.secrets[" + i + "].path: must stay inside the secrets directory");
                }
                int mode = ref.getMode() == 0 ? DEFAULT_MODE : ref.getMode();
                if (!ref.getKey().isEmpty() && !runc) {
                    ownedDirectories(dir, target.getParent());
                    file(target, values.get(ref.getKey()), mode);
                } else {
                    ownedDirectories(dir, target);
                    for (Map.Entry<String, String> kv : values.entrySet()) {
                        file(target.resolve(kv.getKey()), kv.getValue(), mode);
                    }
                }
            }
        } catch (IOException e) {
            remove(task);
            throw new UncheckedIOException("cannot write the secret files of task " + task.taskId(), e);
        } catch (RuntimeException e) {
            remove(task);
            throw e;
        }
    }

    /** Removes the task's files; links the task left are removed, never followed. */
    public void remove(LaunchRequest.Identity task) {
        deleteTree(dir(task));
    }

    /** At agent start: removes every task's files but those of the tasks still running ({@code keep}, by name). */
    void removeLeftovers(Set<String> keep) {
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.toList()) {
                if (!keep.contains(d.getFileName().toString())) {
                    LOG.info("removing the secret files left by task {}", d.getFileName());
                    deleteTree(d);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the secrets directory " + root, e);
        }
    }

    private void ownedDirectories(Path top, Path dir) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; !p.equals(top); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            if (!Files.isDirectory(p, NOFOLLOW)) {
                ownedDirectory(p);
            }
        }
    }

    private void ownedDirectory(Path dir) throws IOException {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        own(dir);
    }

    private void file(Path file, String value, int mode) throws IOException {
        // created 0600 for the agent, then given away: never readable by anyone else on the way
        Files.write(Files.createFile(file, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------"))), value.getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.WRITE);
        own(file);
        Files.setPosixFilePermissions(file, permissions(mode));
    }

    private void own(Path p) throws IOException {
        if (user.isPresent()) {
            Files.setAttribute(p, "unix:uid", user.get().uid(), NOFOLLOW);
            Files.setAttribute(p, "unix:gid", user.get().gid(), NOFOLLOW);
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                set.add(bits[i]);
            }
        }
        return set;
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir, NOFOLLOW)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the secret files in " + dir, e);
        }
    }
}
