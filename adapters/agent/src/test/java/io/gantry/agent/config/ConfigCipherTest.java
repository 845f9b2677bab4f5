package io.gantry.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCipherTest {
    private static final byte[] PLAIN = "the value".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void withoutATokenTheKeyIsARandomFileOnlyTheAgentReads() throws Exception {
        Path keyFile = dir.resolve("configs.key");
        ConfigCipher cipher = ConfigCipher.forAgent(null, keyFile);
        assertThat(Files.size(keyFile)).isEqualTo(32);
        assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        byte[] sealed = cipher.seal(PLAIN, "ns/secret.db");
        assertThat(ConfigCipher.forAgent("", keyFile).open(sealed, "ns/secret.db")).as("the same key again")
                .isEqualTo(PLAIN);
    }

    @Test
    void eachWriteHasAFreshNonceAndTheIdentityIsBound() throws Exception {
        ConfigCipher cipher = ConfigCipher.forAgent("token", dir.resolve("unused.key"));
        byte[] one = cipher.seal(PLAIN, "ns/secret.db");
        byte[] two = cipher.seal(PLAIN, "ns/secret.db");
        assertThat(one).isNotEqualTo(two);
        assertThat(new String(one, StandardCharsets.ISO_8859_1)).doesNotContain("the value");
        assertThat(dir.resolve("unused.key")).as("a token needs no key file").doesNotExist();
        assertThatThrownBy(() -> cipher.open(one, "ns/secret.other")).isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> ConfigCipher.forAgent("another", dir.resolve("k")).open(one, "ns/secret.db"))
                .isInstanceOf(GeneralSecurityException.class);
    }
}
