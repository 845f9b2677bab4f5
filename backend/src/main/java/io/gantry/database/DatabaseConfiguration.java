package io.gantry.database;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The one DataSource: the external PostgreSQL named by {@code GANTRY_DB_URL}, or else an embedded
 * PostgreSQL whose data survives restarts in {@code <data-dir>/postgres}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DatabaseProperties.class)
class DatabaseConfiguration {
    private static final Logger log = LoggerFactory.getLogger(DatabaseConfiguration.class);

    @Bean(destroyMethod = "close")
    EmbeddedDatabase embeddedDatabase(DatabaseProperties db, @Value("${gantry.data-dir}") Path dataDir) {
        if (!db.embedded()) {
            return EmbeddedDatabase.NONE;
        }
        Path pgData = dataDir.resolve("postgres").toAbsolutePath();
        try {
            Files.createDirectories(pgData);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)
                    .start();
            log.info("Started embedded PostgreSQL on port {} with data in {}", pg.getPort(), pgData);
            return new EmbeddedDatabase(pg);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + pgData, e);
        }
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(DatabaseProperties db, EmbeddedDatabase embedded) {
        HikariDataSource ds = new HikariDataSource();
        if (embedded.server() != null) {
            ds.setJdbcUrl(embedded.server().getJdbcUrl("postgres", "postgres"));
            ds.setUsername("postgres");
        } else {
            ds.setJdbcUrl(db.url());
            ds.setUsername(db.user());
            ds.setPassword(db.password());
        }
        ds.setPoolName("gantry");
        // List filters are skewed (few FAILED among many RUNNING; a rare name in q): a plan made for
        // the actual values picks the right index, where the driver's reused generic plan would scan.
        ds.setConnectionInitSql("SET plan_cache_mode = force_custom_plan");
        ds.setMaximumPoolSize(20);
        return ds;
    }

    /** Holds the embedded server so that it stops after the pool that uses it is closed. */
    record EmbeddedDatabase(EmbeddedPostgres server) implements AutoCloseable {
        static final EmbeddedDatabase NONE = new EmbeddedDatabase(null);

        @Override
        public void close() throws IOException {
            if (server != null) {
                server.close();
            }
        }
    }

}
