package io.gantry.secret;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {
    @TempDir
    Path tmp;

    @Test
    void createsTheDirectoryAndTheFileOwnerOnlyAndReadsTheFileAfterwards() throws Exception {
        Path file = tmp.resolve("data").resolve("nested").resolve("db.password");
        AtomicInteger made = new AtomicInteger();

        assertThat(PrivateFiles.readOrCreate(file, () -> "first-" + made.incrementAndGet())).isEqualTo("first-1");
        assertThat(PrivateFiles.readOrCreate(file, () -> "second-" + made.incrementAndGet())).isEqualTo("first-1");
        assertThat(made).hasValue(1);
        assertThat(permissions(file)).isEqualTo("rw-------");
        assertThat(permissions(file.getParent())).isEqualTo("rwx------");
        assertThat(permissions(tmp.resolve("data"))).isEqualTo("rwx------");
    }

    @Test
    void tightensWhatItFindsLooser() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("data"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path file = Files.writeString(dir.resolve("secret.key"), "  kept\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(PrivateFiles.directory(dir)).isEqualTo(dir);
        assertThat(PrivateFiles.readOrCreate(file, () -> "not used")).isEqualTo("kept");
        assertThat(permissions(dir)).isEqualTo("rwx------");
        assertThat(permissions(file)).isEqualTo("rw-------");
    }

    private static String permissions(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
