package io.gantry.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretKeysTest {
    @TempDir
    Path dataDir;

    @Test
    void generatesAnOwnerOnlyKeyFileOnceAndReusesIt() throws Exception {
        SecretKeys first = SecretKeys.load("", dataDir);
        Path file = dataDir.resolve(SecretKeys.KEY_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Base64.getDecoder().decode(Files.readString(file).trim())).hasSize(32);

        SecretKeys second = SecretKeys.load(null, dataDir);
        assertThat(second.derive("cursor")).isEqualTo(first.derive("cursor"));
        assertThat(first.derive("cursor")).isNotEqualTo(first.derive("credentials"));
    }

    @Test
    void aConfiguredKeyWinsOverTheFile() {
        String key = Base64.getEncoder().encodeToString(new byte[32]);
        SecretKeys configured = SecretKeys.load(key, dataDir);
        assertThat(Files.exists(dataDir.resolve(SecretKeys.KEY_FILE))).isFalse();
        assertThat(configured.derive("x")).isEqualTo(SecretKeys.load(key, dataDir).derive("x"));
    }

    @Test
    void aBadConfiguredKeyIsRejectedClearly() {
        assertThatThrownBy(() -> SecretKeys.load("not base64!!", dataDir))
                .hasMessageContaining("GANTRY_SECRET_KEY").hasMessageContaining("not valid base64");
        String short16 = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> SecretKeys.load(short16, dataDir))
                .hasMessageContaining("decodes to 16 bytes");
    }

    @Test
    void credentialsAreSealedWithAFreshIvAndOpenOnlyWithTheSameKey() {
        CredentialCipher cipher = new CredentialCipher(SecretKeys.load("", dataDir));
        byte[] plain = "{\"token\":\"very-secret\"}".getBytes(StandardCharsets.UTF_8);
        byte[] a = cipher.encrypt(plain);
        byte[] b = cipher.encrypt(plain);
        assertThat(a).isNotEqualTo(b);
        assertThat(Arrays.copyOf(a, 12)).isNotEqualTo(Arrays.copyOf(b, 12));
        assertThat(new String(a, StandardCharsets.ISO_8859_1)).doesNotContain("very-secret");
        assertThat(cipher.decrypt(a)).isEqualTo(plain);

        CredentialCipher other = new CredentialCipher(SecretKeys.load(Base64.getEncoder().encodeToString(new byte[32]), dataDir));
        assertThatThrownBy(() -> other.decrypt(a)).hasMessageContaining("cannot decrypt");
        a[a.length - 1] ^= 1;
        assertThatThrownBy(() -> cipher.decrypt(a)).as("tampered").isInstanceOf(IllegalStateException.class);
    }

    @Test
    void neverPrintsTheKey() {
        assertThat(SecretKeys.load("", dataDir).toString()).isEqualTo("SecretKeys[redacted]");
    }
}
