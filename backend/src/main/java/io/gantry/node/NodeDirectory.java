package io.gantry.node;

import io.gantry.spi.Node;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** The nodes each engine last listed (table {@code engine_nodes}), for readers that must not ask the engines. */
@Component
public class NodeDirectory {
    private final JdbcTemplate jdbc;

    NodeDirectory(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Replaces what is kept of {@code engineId}'s nodes with {@code nodes}, in one transaction. */
    @Transactional
    public void record(UUID engineId, List<Node> nodes) {
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update("DELETE FROM engine_nodes WHERE engine_id = ?", engineId);
        jdbc.batchUpdate("INSERT INTO engine_nodes (engine_id, name, address, status, role, seen_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (engine_id, name) DO NOTHING",
                nodes.stream().map(n -> new Object[]{engineId, n.name(), n.address(),
                        n.status() == null ? "UNKNOWN" : n.status(), n.role(), now}).toList());
    }
}
