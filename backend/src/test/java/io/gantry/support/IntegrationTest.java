package io.gantry.support;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of {@code @SpringBootTest} integration tests: a random port, a fresh database per test class,
 * no embedded agent, and the bootstrap admin token {@link #ADMIN_TOKEN} for API calls.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gantry.bootstrap-token=" + IntegrationTest.ADMIN_TOKEN,
        "gantry.admin-password=" + IntegrationTest.ADMIN_PASSWORD,
        "gantry.embedded-agent=false"})
public abstract class IntegrationTest {
    public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
    public static final String ADMIN_PASSWORD = "test-admin-password";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        String url = TestDatabase.newDatabase();
        registry.add("gantry.db.url", () -> url);
        registry.add("gantry.db.user", () -> "postgres");
        registry.add("gantry.db.password", () -> "");
    }
}
