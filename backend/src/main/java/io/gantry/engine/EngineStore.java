package io.gantry.engine;

import io.gantry.access.Scope;
import io.gantry.cluster.Fence;
import io.gantry.secret.CredentialCipher;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Engines in PostgreSQL; credentials go in and out only through {@link CredentialCipher}. */
@Repository
public class EngineStore {
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };
    private static final String COLUMNS = "id, name, kind, endpoint, labels::text, options::text, status, message, "
            + "last_sync_at, created_at";

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final CredentialCipher cipher;

    EngineStore(JdbcClient jdbc, JsonMapper json, CredentialCipher cipher) {
        this.jdbc = jdbc;
        this.json = json;
        this.cipher = cipher;
    }

    public List<Engine> findAll() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM engines ORDER BY name").query(this::engine).list();
    }

    public Optional<Engine> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM engines WHERE id = ?").param(id).query(this::engine).optional();
    }

    public Optional<Engine> findByName(String name) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM engines WHERE name = ?").param(name).query(this::engine).optional();
    }

    /** Wherever a request names an engine, its id or its name is accepted. */
    public Optional<Engine> findByIdOrName(String idOrName) {
        if (idOrName == null || idOrName.isBlank()) {
            return Optional.empty();
        }
        try {
            Optional<Engine> byId = find(UUID.fromString(idOrName));
            if (byId.isPresent()) {
                return byId;
            }
        } catch (IllegalArgumentException notAnId) {
            // fall through to the name
        }
        return findByName(idOrName);
    }

    /** Decrypted credentials, for connecting only; never log or return them. */
    Map<String, String> credentials(UUID id) {
        return jdbc.sql("SELECT credentials FROM engines WHERE id = ?").param(id)
                .query((rs, n) -> {
                    byte[] sealed = rs.getBytes(1);
                    return sealed == null ? Map.<String, String>of() : json.readValue(cipher.decrypt(sealed), STRING_MAP);
                }).optional().orElse(Map.of());
    }

    void insert(Engine e, Map<String, String> credentials) {
        jdbc.sql("""
                INSERT INTO engines (id, name, kind, endpoint, labels, options, credentials, status, message, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, 'UNKNOWN', '', now(), now())""")
                .params(e.id(), e.name(), e.kind(), e.endpoint(), json.writeValueAsString(e.labels()),
                        json.writeValueAsString(e.options()), seal(credentials))
                .update();
    }

    /** Replaces the registration; {@code credentials == null} keeps the stored ones. */
    @Transactional
    void update(Engine e, Map<String, String> credentials) {
        jdbc.sql("""
                UPDATE engines SET name = ?, kind = ?, endpoint = ?, labels = ?::jsonb, options = ?::jsonb,
                       credentials = CASE WHEN ? THEN ? ELSE credentials END, updated_at = now()
                WHERE id = ?""")
                .params(e.name(), e.kind(), e.endpoint(), json.writeValueAsString(e.labels()),
                        json.writeValueAsString(e.options()), credentials != null, seal(credentials), e.id())
                .update();
        jdbc.sql("UPDATE workloads SET engine_name = ?, engine_kind = ? WHERE engine_id = ? AND (engine_name <> ? OR engine_kind <> ?)")
                .params(e.name(), e.kind(), e.id(), e.name(), e.kind()).update();
    }

    boolean delete(UUID id) {
        return jdbc.sql("DELETE FROM engines WHERE id = ?").param(id).update() > 0;
    }

    /** @return true when the status or message changed */
    /** Records what the sync owner found, unless its lease is gone; returns whether anything changed. */
    public boolean updateStatus(Fence fence, EngineStatus status, String message) {
        return jdbc.sql("UPDATE engines SET status = ?, message = ? WHERE id = ? AND (status <> ? OR message <> ?) AND"
                        + Fence.HOLDS)
                .params(status.name(), message, fence.engineId(), status.name(), message, fence.engineId(), fence.token())
                .update() > 0;
    }

    public void markSynced(Fence fence, Instant at) {
        jdbc.sql("UPDATE engines SET last_sync_at = ? WHERE id = ? AND" + Fence.HOLDS)
                .params(Timestamp.from(at), fence.engineId(), fence.engineId(), fence.token()).update();
    }

    /** Workloads per engine, of those within {@code scope} (a condition over {@code engine_name} and {@code namespace}). */
    Map<UUID, Long> workloadCounts(Scope.Condition scope) {
        Map<UUID, Long> counts = new HashMap<>();
        jdbc.sql("SELECT engine_id, count(*) FROM workloads WHERE " + scope.sql() + " GROUP BY engine_id")
                .params(scope.params())
                .query(rs -> {
                    counts.put(rs.getObject(1, UUID.class), rs.getLong(2));
                });
        return counts;
    }

    /**
     * {@link #workloadCounts} of one engine: a range of its index rather than a GROUP BY over every engine's rows
     * (a million of them at fifty engines), since an engine's page and a client waiting for its sync ask often.
     */
    Map<UUID, Long> workloadCount(UUID engineId, Scope.Condition scope) {
        List<Object> params = new ArrayList<>(scope.params());
        params.add(0, engineId);
        Long n = jdbc.sql("SELECT count(*) FROM workloads WHERE engine_id = ? AND " + scope.sql()).params(params)
                .query(Long.class).single();
        return Map.of(engineId, n == null ? 0 : n);
    }

    private byte[] seal(Map<String, String> credentials) {
        return credentials == null || credentials.isEmpty() ? null : cipher.encrypt(json.writeValueAsBytes(credentials));
    }

    private Engine engine(ResultSet rs, int row) throws SQLException {
        Timestamp lastSync = rs.getTimestamp("last_sync_at");
        return new Engine(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("kind"),
                rs.getString("endpoint"), json.readValue(rs.getString("labels"), STRING_MAP),
                json.readValue(rs.getString("options"), STRING_MAP), EngineStatus.valueOf(rs.getString("status")),
                rs.getString("message"), lastSync == null ? null : lastSync.toInstant(),
                rs.getTimestamp("created_at").toInstant());
    }
}
