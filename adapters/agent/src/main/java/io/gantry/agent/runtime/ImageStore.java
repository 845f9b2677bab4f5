package io.gantry.agent.runtime;

import io.gantry.agent.task.AgentFailure;
import io.gantry.agent.task.Names;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Root filesystems for the runc runtime, one directory per image name under {@code <data-dir>/images}.
 * Image names like {@code busybox:1.36} are kept readable by mapping ':' and '/' to safe characters.
 */
public final class ImageStore {
    /** Mount points runc needs in a read-only rootfs (it cannot create them there). */
    private static final List<String> MOUNT_POINTS = List.of("proc", "dev", "sys", "tmp");

    public record ImageInfo(String name, long sizeBytes, Instant importedAt) {
    }

    private final Path root;

    public ImageStore(Path root) {
        this.root = root;
    }

    /** Unpacks a rootfs tarball under {@code name}, replacing an image of that name. */
    public synchronized ImageInfo importTarball(String name, byte[] tarball) throws IOException {
        Path dir = dirOf(name);
        Path staging = root.resolve(".staging-" + dir.getFileName());
        deleteTree(staging);
        Files.createDirectories(staging.resolve("rootfs"));
        Path archive = staging.resolve("image.tar");
        Files.write(archive, tarball);
        int rc = Signals.run(List.of("tar", "-x", "--no-same-owner", "-f", archive.toString(), "-C",
                staging.resolve("rootfs").toString()), 300);
        Files.delete(archive);
        if (rc != 0) {
            deleteTree(staging);
            throw AgentFailure.invalid("image '" + name + "' is not a readable tar archive (tar exited with " + rc + ")");
        }
        for (String mountPoint : MOUNT_POINTS) {
            Files.createDirectories(staging.resolve("rootfs").resolve(mountPoint));
        }
        Files.writeString(staging.resolve("name"), name);
        deleteTree(dir);
        Files.move(staging, dir);
        return info(dir).orElseThrow();
    }

    public synchronized List<ImageInfo> list() {
        List<ImageInfo> images = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return images;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(d -> !d.getFileName().toString().startsWith(".")).sorted()
                    .forEach(d -> info(d).ifPresent(images::add));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return images;
    }

    public boolean has(String name) {
        return name != null && !name.isEmpty() && Files.isDirectory(dirOf(name).resolve("rootfs"));
    }

    /** The unpacked root filesystem of an imported image. */
    public Path rootfs(String name) {
        if (!has(name)) {
            throw AgentFailure.precondition("image '" + name + "' is not imported on this agent");
        }
        return dirOf(name).resolve("rootfs");
    }

    private Optional<ImageInfo> info(Path dir) {
        try {
            String name = Files.readString(dir.resolve("name"));
            FileTime time = Files.getLastModifiedTime(dir.resolve("name"));
            long size;
            try (Stream<Path> files = Files.walk(dir.resolve("rootfs"))) {
                size = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
            }
            return Optional.of(new ImageInfo(name, size, time.toInstant()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Path dirOf(String name) {
        String safe = name.toLowerCase().replace(':', '_').replace('/', '.').replace('@', '_');
        if (!Names.valid(safe)) {
            throw AgentFailure.invalid("image name '" + name + "' is invalid");
        }
        return root.resolve(safe);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
