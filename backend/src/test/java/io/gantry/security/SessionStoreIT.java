package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.support.IntegrationTest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.session.config.SessionRepositoryCustomizer;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.transaction.support.TransactionTemplate;

/** The session store as this server configures it, read back the way the sessions list reads it. */
class SessionStoreIT extends IntegrationTest {
    @Autowired
    DataSource dataSource;

    @Autowired
    ObjectProvider<SessionRepositoryCustomizer<JdbcIndexedSessionRepository>> customizers;

    @Test
    void aUsersSessionsKeepEveryAttributeWhenTheDatabaseReturnsTheirRowsInterleaved() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            // leaves PostgreSQL a hash join only: it hashes the user's sessions and probes the attributes table in
            // its physical order, which interleaves two sessions whose attributes were saved in turns (as two
            // sign-ins of one user do). The planner chose that plan by itself in CI, from the tables' statistics.
            run(connection, "SET enable_nestloop = off", "SET enable_mergejoin = off");
            try {
                SingleConnectionDataSource single = new SingleConnectionDataSource(connection, true);
                JdbcIndexedSessionRepository repository = new JdbcIndexedSessionRepository(new JdbcTemplate(single),
                        new TransactionTemplate(new DataSourceTransactionManager(single)));
                customizers.orderedStream().forEach(customizer -> customizer.customize(repository));

                Map<String, ? extends Session> found = twoSessionsSavedInTurns(repository,
                        "interleaved-" + UUID.randomUUID());

                assertThat(found).hasSize(2);
                assertThat(found.values()).allSatisfy(session -> assertThat(session.getAttributeNames())
                        .contains(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, "at-creation",
                                "at-sign-in"));
            } finally {
                run(connection, "RESET enable_nestloop", "RESET enable_mergejoin");
            }
        }
    }

    private static <S extends Session> Map<String, S> twoSessionsSavedInTurns(
            FindByIndexNameSessionRepository<S> repository, String user) {
        List<S> sessions = List.of(repository.createSession(), repository.createSession());
        for (S session : sessions) {
            session.setAttribute(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, user);
            session.setAttribute("at-creation", "1");
            repository.save(session);
        }
        for (S session : sessions) {
            session.setAttribute("at-sign-in", "2");
            repository.save(session);
        }
        return repository.findByPrincipalName(user);
    }

    private static void run(Connection connection, String... statements) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }
}
