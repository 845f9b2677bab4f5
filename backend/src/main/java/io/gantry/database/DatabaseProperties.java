package io.gantry.database;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the store lives. An empty {@code url} means the embedded default: a real PostgreSQL
 * started in-process with its data under {@code gantry.data-dir}.
 */
@ConfigurationProperties("gantry.db")
record DatabaseProperties(String url, String user, String password) {
    boolean embedded() {
        return url == null || url.isBlank();
    }
}
