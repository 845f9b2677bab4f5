package io.gantry.database;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The one DataSource: the external PostgreSQL named by {@code GANTRY_DB_URL}, or else an embedded
 * PostgreSQL whose data survives restarts in {@code <data-dir>/postgres} (see {@link EmbeddedDatabase}).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DatabaseProperties.class)
class DatabaseConfiguration {

    /** Closed after the pool that uses it: the pool depends on it. */
    @Bean(destroyMethod = "close")
    DatabaseServer databaseServer(DatabaseProperties db, @Value("${gantry.data-dir}") Path dataDir) {
        if (db.embedded()) {
            return EmbeddedDatabase.start(dataDir.toAbsolutePath());
        }
        return new DatabaseServer.External(db.url(), db.user(), db.password());
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(DatabaseServer server) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(server.url());
        ds.setUsername(server.user());
        ds.setPassword(server.password());
        ds.setPoolName("gantry");
        // List filters are skewed (few FAILED among many RUNNING; a rare name in q): a plan made for
        // the actual values picks the right index, where the driver's reused generic plan would scan.
        ds.setConnectionInitSql("SET plan_cache_mode = force_custom_plan");
        ds.setMaximumPoolSize(20);
        // Hikari keeps maximumPoolSize connections open by default: twenty idle PostgreSQL backends (and twenty
        // SCRAM logins at every start) on a server that mostly idles; the pool still grows to 20 under load
        ds.setMinimumIdle(2);
        return ds;
    }
}
