package io.gantry.testing.oidc;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A real OpenID Connect provider for Gantry's tests: {@code java -jar gantry-oidc-provider.jar --port=N
 * --config=provider.json} (see {@link ProviderConfig} for the file). It listens on 127.0.0.1 only.
 *
 * <p>Its settings are defaults given here, not an {@code application.properties}: nothing of this module may
 * change the settings of a process that happens to have it on its class path.
 */
@SpringBootApplication
public class OidcProviderApplication {
    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(OidcProviderApplication.class);
        app.setDefaultProperties(Map.of(
                "server.port", "${port:9000}",
                "server.address", "127.0.0.1",
                // The relying party (Gantry) runs on the same host under another port, and cookies ignore ports:
                // a cookie of its own name keeps the two sessions apart in one browser.
                "server.servlet.session.cookie.name", "GANTRY_TEST_IDP",
                "spring.main.banner-mode", "off"));
        app.run(args);
    }
}
