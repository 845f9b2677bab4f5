package io.gantry.config;

import io.gantry.access.Scope;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.ConfigObject;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code config_objects} table (V16): metadata of the objects engines keep, never values. {@code usedBy} is
 * computed in the same statement from the workloads' stored specs (the V16 GIN index on
 * {@code (spec->'secrets')::jsonb}: the query must use that very expression).
 */
@Component
class ConfigStore {
    /** Workloads of the object's engine and namespace whose spec references its name and kind. */
    private static final String USED_BY = """
            coalesce((SELECT jsonb_agg(jsonb_build_object('id', w.id, 'name', w.name) ORDER BY w.name, w.id)
                      FROM workloads w
                      WHERE w.engine_id = c.engine_id AND w.namespace = c.namespace
                        AND (w.spec -> 'secrets')::jsonb @> jsonb_build_array(jsonb_build_object('source', c.name, 'kind', c.kind))),
                     '[]'::jsonb)::text AS used_by""";
    private static final String SELECT = "SELECT c.id, c.engine_id, c.engine_name, c.native_id, c.namespace, c.name,"
            + " c.kind, c.keys::text AS keys, c.created_at, c.updated_at, " + USED_BY + " FROM config_objects c";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final JsonMapper json;

    ConfigStore(JdbcTemplate jdbc, TransactionTemplate tx, JsonMapper json) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.json = json;
    }

    /** An object's id: derived from its engine and native id, so that it stays the same across refreshes. */
    static UUID idOf(UUID engineId, String nativeId) {
        return UUID.nameUUIDFromBytes(("config:" + engineId + "/" + nativeId).getBytes(StandardCharsets.UTF_8));
    }

    /** The objects within {@code scope}, optionally filtered, ordered by engine, namespace, name and kind. */
    List<ConfigView> list(Scope.Condition scope, String engine, String namespace, ConfigKind kind) {
        StringBuilder sql = new StringBuilder(SELECT).append(" WHERE ").append(scope.sql());
        List<Object> params = new ArrayList<>(scope.params());
        if (engine != null) {
            sql.append(" AND c.engine_name = ?");
            params.add(engine);
        }
        if (namespace != null) {
            sql.append(" AND c.namespace = ?");
            params.add(namespace);
        }
        if (kind != null) {
            sql.append(" AND c.kind = ?");
            params.add(kind.name());
        }
        sql.append(" ORDER BY c.engine_name, c.namespace, c.name, c.kind");
        return jdbc.query(sql.toString(), (rs, row) -> stored(rs).view(), params.toArray());
    }

    Optional<StoredConfig> find(UUID id) {
        return jdbc.query(SELECT + " WHERE c.id = ?", (rs, row) -> stored(rs), id).stream().findFirst();
    }

    /** The object of that name and kind in an engine's namespace, if the store knows it. */
    Optional<StoredConfig> findByName(UUID engineId, String namespace, String name, ConfigKind kind) {
        return jdbc.query(SELECT + " WHERE c.engine_id = ? AND c.namespace = ? AND c.name = ? AND c.kind = ?",
                (rs, row) -> stored(rs), engineId, namespace, name, kind.name()).stream().findFirst();
    }

    /** Writes one object as the engine answered it (after a create or a rotation). */
    UUID put(UUID engineId, String engineName, ConfigObject object, Instant now) {
        UUID id = idOf(engineId, object.nativeId());
        jdbc.update("""
                INSERT INTO config_objects (id, engine_id, engine_name, native_id, namespace, name, kind, keys, version,
                                            created_at, updated_at, synced_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?)
                ON CONFLICT (engine_id, native_id) DO UPDATE SET engine_name = excluded.engine_name,
                    namespace = excluded.namespace, name = excluded.name, kind = excluded.kind, keys = excluded.keys,
                    version = excluded.version, created_at = excluded.created_at, updated_at = excluded.updated_at,
                    synced_at = excluded.synced_at""",
                id, engineId, engineName, object.nativeId(), object.namespace(), object.name(), object.kind().name(),
                json.writeValueAsString(object.keys()), object.version(), timestamp(object.createdAt()),
                timestamp(object.updatedAt() == null ? object.createdAt() : object.updatedAt()), Timestamp.from(now));
        return id;
    }

    /**
     * Makes the engine's rows what {@code listed} says: every listed object written, every other one removed unless
     * it was written after {@code listedAt} (when the listing began).
     */
    void replaceAll(UUID engineId, String engineName, List<ConfigObject> listed, Instant listedAt) {
        tx.executeWithoutResult(status -> {
            listed.forEach(o -> put(engineId, engineName, o, listedAt));
            jdbc.update("DELETE FROM config_objects WHERE engine_id = ? AND synced_at < ?", engineId, Timestamp.from(listedAt));
        });
    }

    void remove(UUID id) {
        jdbc.update("DELETE FROM config_objects WHERE id = ?", id);
    }

    private StoredConfig stored(ResultSet rs) throws SQLException {
        ConfigView view = new ConfigView(rs.getObject("id", UUID.class), rs.getString("engine_name"),
                rs.getString("namespace"), rs.getString("name"), ConfigKind.valueOf(rs.getString("kind")),
                json.readValue(rs.getString("keys"), new TypeReference<List<String>>() { }),
                instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("updated_at")),
                json.readValue(rs.getString("used_by"), new TypeReference<List<ConfigView.ConfigUser>>() { }), null);
        return new StoredConfig(view, rs.getObject("engine_id", UUID.class), rs.getString("native_id"));
    }

    private static Timestamp timestamp(Instant at) {
        return at == null ? null : Timestamp.from(at);
    }

    private static Instant instant(Timestamp at) {
        return at == null ? null : at.toInstant();
    }
}
