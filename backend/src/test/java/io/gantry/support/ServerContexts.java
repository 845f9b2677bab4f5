package io.gantry.support;

import io.gantry.GantryApplication;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * A whole server in the test JVM on a database the test names, with the integration tests' configuration, that the
 * test closes and starts again: a restart (the fake engines, static, outlive it like real engines do).
 */
public final class ServerContexts {
    private ServerContexts() {
    }

    /** Starts a server on {@code database}; {@code args} add command-line properties ({@code --name=value}). */
    public static ConfigurableApplicationContext start(String database, String... args) {
        List<Class<?>> sources = new ArrayList<>(List.of(GantryApplication.class));
        Import imports = IntegrationTest.class.getAnnotation(Import.class);
        if (imports != null) {
            sources.addAll(List.of(imports.value()));
        }
        List<String> all = new ArrayList<>();
        for (String property : IntegrationTest.class.getAnnotation(SpringBootTest.class).properties()) {
            all.add("--" + property);
        }
        all.addAll(List.of("--server.port=0", "--gantry.db.url=" + database, "--gantry.db.user=postgres",
                "--gantry.db.password="));
        all.addAll(List.of(args));
        return new SpringApplicationBuilder(sources.toArray(Class<?>[]::new)).run(all.toArray(String[]::new));
    }

    public static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }
}
