package io.gantry.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of {@code @SpringBootTest} integration tests: a random port, a fresh database per test class,
 * no embedded agent, short engine call timeouts and backoff, and the bootstrap admin token
 * {@link #ADMIN_TOKEN} for API calls. Every IT uses exactly this configuration, so that they all
 * share one application context (and one database): tests use engine names of their own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gantry.bootstrap-token=" + IntegrationTest.ADMIN_TOKEN,
        "gantry.admin-password=" + IntegrationTest.ADMIN_PASSWORD,
        "gantry.embedded-agent=false",
        "gantry.data-dir=target/it-data",
        "gantry.sync.call-timeout=1s",
        "gantry.sync.initial-backoff=250ms",
        "gantry.sync.max-backoff=2s",
        // the ITs share one database in which engines of up to 20,000 workloads (DiffSyncIT) check list totals as
        // counts; EstimatedTotalIT lowers it to test estimated totals
        "gantry.lists.exact-total-up-to=100000"})
public abstract class IntegrationTest {
    public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
    public static final String ADMIN_PASSWORD = "test-admin-password";

    @LocalServerPort
    protected int port;

    /** A client of this test's server that sends the admin token. */
    protected Api api() {
        return new Api(port);
    }

    /** Creates a user of {@code role} whose password is "password-of-" + name, and returns an API token of theirs. */
    protected String userToken(String name, String role) {
        Api.Response created = api().post("/api/v1/users", Map.of("username", name, "password", "password-of-" + name,
                "role", role));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        Api.Response token = api().post("/api/v1/auth/token", Map.of("username", name, "password", "password-of-" + name));
        assertThat(token.status()).as(token.toString()).isEqualTo(200);
        return token.json().get("token").asString();
    }

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        String url = TestDatabase.newDatabase();
        registry.add("gantry.db.url", () -> url);
        registry.add("gantry.db.user", () -> "postgres");
        registry.add("gantry.db.password", () -> "");
    }
}
