package io.gantry.secret;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way the server keeps something to itself on disk: the data directory is owner-only
 * ({@code rwx------}) and each secret in it (the master key, the embedded database's password) is an
 * owner-only file ({@code rw-------}) created with those permissions, never widened afterwards.
 * Looser permissions found on an existing directory or file are tightened, since what they guard
 * was written there by this server.
 */
public final class PrivateFiles {
    private static final Logger log = LoggerFactory.getLogger(PrivateFiles.class);
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    /** Windows has no POSIX permissions; there the directory's ACL (the user's profile) is what protects it. */
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private PrivateFiles() {
    }

    /** Creates {@code dir} (and its parents) owner-only, or tightens it when it exists; returns it. */
    public static Path directory(Path dir) {
        try {
            if (Files.isDirectory(dir)) {
                tighten(dir, DIRECTORY);
            } else if (POSIX) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
            } else {
                Files.createDirectories(dir);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the private directory " + dir, e);
        }
    }

    /**
     * The text of the owner-only file {@code file}; when it does not exist yet, it is created (in a
     * private parent directory) with the text {@code initial} supplies. Surrounding whitespace is not
     * part of the text.
     */
    public static String readOrCreate(Path file, Supplier<String> initial) {
        try {
            if (!Files.exists(file)) {
                directory(file.toAbsolutePath().getParent());
                String text = initial.get();
                try {
                    if (POSIX) {
                        Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
                    } else {
                        Files.createFile(file);
                    }
                    Files.writeString(file, text, StandardCharsets.UTF_8);
                    return text;
                } catch (FileAlreadyExistsException raced) {
                    // another process created it first: use theirs
                }
            }
            tighten(file, FILE);
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    private static void tighten(Path path, Set<PosixFilePermission> wanted) throws IOException {
        if (POSIX && !Files.getPosixFilePermissions(path).equals(wanted)) {
            Files.setPosixFilePermissions(path, wanted);
            log.info("Permissions of {} set to {}: only the server's user may read it", path,
                    PosixFilePermissions.toString(wanted));
        }
    }
}
