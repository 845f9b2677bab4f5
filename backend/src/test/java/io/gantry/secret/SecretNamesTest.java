package io.gantry.secret;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretNamesTest {
    @Test
    void namesContainingASecretWordInAnyCaseLookSecret() {
        for (String name : new String[] {"DB_PASSWORD", "password", "Client_Secret", "GITHUB_TOKEN", "API_KEY",
                "apiKey", "AWS_CREDENTIALS", "MYSQL_PASSWD", "BASIC_AUTH"}) {
            assertThat(SecretNames.looksSecret(name)).as(name).isTrue();
        }
        for (String name : new String[] {"LOG_LEVEL", "PORT", "DATABASE_HOST", "", null}) {
            assertThat(SecretNames.looksSecret(name)).as(name).isFalse();
        }
    }
}
