package io.gantry;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.support.IntegrationTest;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class ApplicationStartsIT extends IntegrationTest {
    @Autowired
    DataSource dataSource;

    @Test
    void startsOnRealPostgres() throws Exception {
        try (var c = dataSource.getConnection()) {
            assertThat(c.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
        }
    }
}
