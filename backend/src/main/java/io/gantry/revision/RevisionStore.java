package io.gantry.revision;

import io.gantry.spi.WorkloadSpec;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/**
 * The revisions in PostgreSQL ({@code workload_revisions}). A revision's number is the workload's newest plus one,
 * taken in the insert itself; the operation that records and the sync that detects may both insert for one workload
 * at once, so a number taken twice is retried. Each insert prunes the workload's revisions beyond
 * {@link RevisionSettings#keep}.
 *
 * <p>Specs are compared by {@code spec_hash}: md5 of the spec as {@code jsonb} text, which PostgreSQL writes with
 * its keys in one order, so that the same spec hashes the same whichever map order an adapter produced.
 */
@Repository
@EnableConfigurationProperties(RevisionSettings.class)
class RevisionStore {
    private static final int ATTEMPTS = 5;
    private static final String COLUMNS = "revision, created_at, username, source, operation_id, message, "
            + "spec::text AS spec, engine_revision";
    private static final String NEXT = "coalesce((SELECT max(revision) FROM workload_revisions WHERE workload_id = ?), 0) + 1";
    /** A workload an operation of Gantry may be changing now (a deploy's workload has no id until it is done). */
    private static final String NO_OPERATION_RUNS = """
            NOT EXISTS (SELECT 1 FROM operations o WHERE o.state IN ('PENDING', 'RUNNING')
                        AND (o.workload_id = w.id OR o.engine_id = w.engine_id AND o.action IN ('deploy', 'import', 'copy')))""";
    private static final String NEWEST = """
            LEFT JOIN LATERAL (SELECT r.revision, r.spec_hash FROM workload_revisions r WHERE r.workload_id = w.id
                               ORDER BY r.revision DESC LIMIT 1) n ON true""";

    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    private final RevisionSettings settings;

    RevisionStore(JdbcTemplate jdbc, JsonMapper json, RevisionSettings settings) {
        this.jdbc = jdbc;
        this.json = json;
        this.settings = settings;
    }

    /**
     * Records a change Gantry made: the workload's spec as stored now, i.e. as the engine read it back after the
     * change (with whatever defaults it filled in), so that the sync finds the same spec and sees no change of its own.
     *
     * @return the revision, or empty when the workload is not stored (it went away meanwhile)
     */
    Optional<Revision> recordGantry(UUID workloadId, String user, UUID operationId, String message) {
        String sql = "INSERT INTO workload_revisions (workload_id, revision, created_at, username, source, operation_id, "
                + "message, spec, spec_hash, engine_revision) "
                + "SELECT w.id, " + NEXT + ", ?, ?, 'gantry', ?, ?, w.spec::jsonb, md5(w.spec::jsonb::text), NULL "
                + "FROM workloads w WHERE w.id = ? RETURNING " + COLUMNS;
        return insert(workloadId, () -> jdbc.query(sql, this::revision, workloadId, Timestamp.from(Instant.now()), user,
                operationId, message, workloadId));
    }

    /**
     * Records the workload's stored spec as a change seen on the engine, unless it is what the newest revision
     * holds, or an operation of Gantry may be changing the workload now (that operation records it).
     */
    Optional<Revision> recordEngineChange(UUID workloadId, String message) {
        String sql = "INSERT INTO workload_revisions (workload_id, revision, created_at, username, source, operation_id, "
                + "message, spec, spec_hash, engine_revision) "
                + "SELECT w.id, coalesce(n.revision, 0) + 1, ?, NULL, 'engine', NULL, ?, w.spec::jsonb, "
                + "md5(w.spec::jsonb::text), NULL FROM workloads w " + NEWEST
                + " WHERE w.id = ? AND (n.spec_hash IS NULL OR n.spec_hash <> md5(w.spec::jsonb::text)) AND " + NO_OPERATION_RUNS
                + " RETURNING " + COLUMNS;
        return insert(workloadId, () -> jdbc.query(sql, this::revision, Timestamp.from(Instant.now()), message, workloadId));
    }

    /**
     * {@link #recordEngineChange} for many workloads in one statement (and one commit), pruning each one's revisions
     * beyond {@link RevisionSettings#keep} in the same statement: a first sync hands over every workload of an engine
     * at once, and one insert (and one WAL flush) per workload was most of what the database did for it.
     *
     * @return the revisions recorded, by workload; a workload left out either needs none now or had its number
     *         taken meanwhile (the caller records those one by one, which tells the two apart)
     */
    Map<UUID, Revision> recordEngineChanges(List<UUID> workloadIds, String message) {
        String sql = "WITH ins AS (INSERT INTO workload_revisions (workload_id, revision, created_at, username, source, "
                + "operation_id, message, spec, spec_hash, engine_revision) "
                + "SELECT w.id, coalesce(n.revision, 0) + 1, ?, NULL, 'engine', NULL, ?, w.spec::jsonb, "
                + "md5(w.spec::jsonb::text), NULL FROM workloads w " + NEWEST
                + " WHERE w.id = ANY(?) AND (n.spec_hash IS NULL OR n.spec_hash <> md5(w.spec::jsonb::text)) AND "
                + NO_OPERATION_RUNS + " ON CONFLICT DO NOTHING RETURNING workload_id, " + COLUMNS + "), "
                + "pruned AS (DELETE FROM workload_revisions r USING ins WHERE r.workload_id = ins.workload_id "
                + "AND r.revision <= ins.revision - ?) SELECT * FROM ins";
        Map<UUID, Revision> recorded = new HashMap<>();
        try {
            jdbc.query(c -> {
                PreparedStatement ps = c.prepareStatement(sql);
                ps.setTimestamp(1, Timestamp.from(Instant.now()));
                ps.setString(2, message);
                ps.setArray(3, c.createArrayOf("uuid", workloadIds.toArray()));
                ps.setInt(4, settings.keep());
                return ps;
            }, rs -> {
                recorded.put(rs.getObject("workload_id", UUID.class), revision(rs, 0));
            });
        } catch (DataIntegrityViolationException goneMeanwhile) {
            // a workload of the batch was removed between the select and the insert: one by one tells which
            return Map.of();
        }
        return recorded;
    }

    /** Records one revision the engine itself kept (from before Gantry knew the workload). */
    Optional<Revision> recordFromEngine(UUID workloadId, Instant createdAt, String message, WorkloadSpec spec,
                                        String engineRevision) {
        String sql = "INSERT INTO workload_revisions (workload_id, revision, created_at, username, source, operation_id, "
                + "message, spec, spec_hash, engine_revision) "
                + "SELECT w.id, " + NEXT + ", ?, NULL, 'engine', NULL, ?, s.spec, md5(s.spec::text), ? "
                + "FROM workloads w, LATERAL (SELECT ?::jsonb AS spec) s WHERE w.id = ? RETURNING " + COLUMNS;
        return insert(workloadId, () -> jdbc.query(sql, this::revision, workloadId,
                Timestamp.from(createdAt == null ? Instant.now() : createdAt), message, engineRevision,
                json.writeValueAsString(spec), workloadId));
    }

    /** What the sync should look at among these workloads: those without revisions, or whose spec differs from their newest. */
    List<Candidate> needingRevision(List<UUID> workloadIds) {
        String sql = "SELECT w.id, w.engine_id, w.native_id, n.revision FROM workloads w " + NEWEST
                + " WHERE w.id = ANY(?) AND (n.spec_hash IS NULL OR n.spec_hash <> md5(w.spec::jsonb::text))"
                + " AND " + NO_OPERATION_RUNS;
        return jdbc.query(c -> {
            PreparedStatement ps = c.prepareStatement(sql);
            ps.setArray(1, c.createArrayOf("uuid", workloadIds.toArray()));
            return ps;
        }, (rs, row) -> new Candidate(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                rs.getObject(4) != null));
    }

    /** The ids of an engine's stored workloads. */
    List<UUID> workloadsOf(UUID engineId) {
        return jdbc.queryForList("SELECT id FROM workloads WHERE engine_id = ?", UUID.class, engineId);
    }

    /**
     * @param hasRevisions whether it has any revision yet (if not, the engine's own history is read first)
     */
    record Candidate(UUID workloadId, UUID engineId, String nativeId, boolean hasRevisions) {
    }

    /** Newest first, those below {@code before} (all when {@code null}), at most {@code limit}. */
    List<Revision> list(UUID workloadId, Integer before, int limit) {
        return jdbc.query("SELECT " + COLUMNS + " FROM workload_revisions WHERE workload_id = ? AND revision < ? "
                + "ORDER BY revision DESC LIMIT ?", this::revision, workloadId, before == null ? Integer.MAX_VALUE : before, limit);
    }

    long count(UUID workloadId) {
        Long n = jdbc.queryForObject("SELECT count(*) FROM workload_revisions WHERE workload_id = ?", Long.class, workloadId);
        return n == null ? 0 : n;
    }

    Optional<Revision> find(UUID workloadId, int revision) {
        return jdbc.query("SELECT " + COLUMNS + " FROM workload_revisions WHERE workload_id = ? AND revision = ?",
                this::revision, workloadId, revision).stream().findFirst();
    }

    /** Whether the revision's spec is the one the workload has now (as stored). */
    boolean isCurrent(UUID workloadId, int revision) {
        return Boolean.TRUE.equals(jdbc.query("SELECT r.spec_hash = md5(w.spec::jsonb::text) FROM workload_revisions r "
                + "JOIN workloads w ON w.id = r.workload_id WHERE r.workload_id = ? AND r.revision = ?",
                rs -> rs.next() ? rs.getBoolean(1) : false, workloadId, revision));
    }

    private Optional<Revision> insert(UUID workloadId, Supplier<List<Revision>> statement) {
        for (int attempt = 1; ; attempt++) {
            try {
                Optional<Revision> inserted = statement.get().stream().findFirst();
                inserted.ifPresent(r -> jdbc.update("DELETE FROM workload_revisions WHERE workload_id = ? AND revision <= ?",
                        workloadId, r.revision() - settings.keep()));
                return inserted;
            } catch (DuplicateKeyException takenMeanwhile) {
                // another thread recorded a revision of this workload between our max() and our insert
                if (attempt == ATTEMPTS) {
                    throw takenMeanwhile;
                }
            } catch (DataIntegrityViolationException goneMeanwhile) {
                // the sync removed the workload (its engine no longer has it) between the select and the insert
                return Optional.empty();
            }
        }
    }

    private Revision revision(ResultSet rs, int row) throws SQLException {
        return new Revision(rs.getInt("revision"), rs.getTimestamp("created_at").toInstant(), rs.getString("username"),
                rs.getString("source"), rs.getObject("operation_id", UUID.class), rs.getString("message"),
                json.readValue(rs.getString("spec"), WorkloadSpec.class), rs.getString("engine_revision"));
    }
}
