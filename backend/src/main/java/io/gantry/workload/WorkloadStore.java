package io.gantry.workload;

import com.google.common.hash.HashCode;
import io.gantry.access.Scope;
import io.gantry.cluster.EngineLeases;
import io.gantry.cluster.Fence;
import io.gantry.cluster.LeaseLostException;
import io.gantry.engine.Engine.EngineRef;
import io.gantry.engine.EngineRemoved;
import io.gantry.engine.EngineSaved;
import io.gantry.engine.Engine;
import io.gantry.secret.SecretKeys;
import io.gantry.spi.Instance;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.WorkloadStatus;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The normalized workloads in PostgreSQL. Writes come in batches from sync: one
 * {@code INSERT ... SELECT FROM unnest(...) ON CONFLICT DO UPDATE ... WHERE changed} per batch, so
 * an unchanged workload costs no write and the statement returns exactly the workloads that changed.
 * The same statement appends to {@code workload_history} when replicas or phase changed.
 *
 * <p>Every sync write carries the {@link Fence} of the engine's lease and writes nothing once another
 * replica holds the lease; such a refused write throws {@link LeaseLostException}.
 */
@Repository
public class WorkloadStore {
    /** Workloads per upsert statement; a sync's listing is stored in parts of this size. */
    public static final int BATCH = 1_000;
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };
    private static final TypeReference<List<Instance>> INSTANCES = new TypeReference<>() {
    };
    static final String VIEW_COLUMNS = "w.id, w.engine_id, w.engine_name, w.engine_kind, w.native_id, w.namespace, "
            + "w.name, w.kind, w.labels::text AS labels, w.spec::text AS spec, w.status::text AS status, "
            + "w.instances::text AS instances, w.created_at, w.synced_at, w.updated_at, w.stale, w.phase";

    /**
     * The upsert, plus a {@code workload_history} row for each written workload whose running or desired
     * replicas or phase differ from the stored ones (or that is new). All parts of one statement see the
     * table as it was before it, so {@code before} reads the old values; only rows the upsert returned,
     * i.e. that changed at all, are compared.
     */
    private static final String UPSERT = """
            WITH u AS (
                SELECT u.*
                FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                            ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                     AS u(id, native_id, namespace, name, kind, phase, image, labels, spec, status, instances, desired,
                          running, native_object, content_hash, created_at)
            ), before AS (
                SELECT w.id, w.running, w.desired, w.phase FROM workloads w JOIN u ON w.id = u.id::uuid
            ), written AS (
                INSERT INTO workloads (id, engine_id, engine_name, engine_kind, native_id, namespace, name, kind, phase,
                                       image, labels, desired, running, stale, spec, status, instances, native_object,
                                       content_hash, created_at, synced_at, updated_at)
                SELECT u.id::uuid, ?, ?, ?, u.native_id, u.namespace, u.name, u.kind, u.phase, u.image,
                       u.labels::jsonb, u.desired::int, u.running::int, false, u.spec::json,
                       u.status::json, u.instances::json, u.native_object, u.content_hash,
                       u.created_at::timestamptz, ?, ?
                FROM u
                WHERE""" + Fence.HOLDS + """
                ON CONFLICT (engine_id, native_id) DO UPDATE SET
                    engine_name = EXCLUDED.engine_name, engine_kind = EXCLUDED.engine_kind,
                    namespace = EXCLUDED.namespace, name = EXCLUDED.name, kind = EXCLUDED.kind, phase = EXCLUDED.phase,
                    image = EXCLUDED.image, labels = EXCLUDED.labels, desired = EXCLUDED.desired,
                    running = EXCLUDED.running, stale = false, spec = EXCLUDED.spec, status = EXCLUDED.status,
                    instances = EXCLUDED.instances, native_object = EXCLUDED.native_object,
                    content_hash = EXCLUDED.content_hash, created_at = EXCLUDED.created_at,
                    synced_at = EXCLUDED.synced_at, updated_at = EXCLUDED.updated_at
                WHERE workloads.content_hash <> EXCLUDED.content_hash OR workloads.stale
                RETURNING id, engine_id, native_id, running, desired, phase
            ), history AS (
                INSERT INTO workload_history (workload_id, engine_id, at, running, desired, phase)
                SELECT written.id, written.engine_id, ?, written.running, written.desired, written.phase
                FROM written LEFT JOIN before ON before.id = written.id
                WHERE before.id IS NULL OR before.running <> written.running OR before.desired <> written.desired
                   OR before.phase <> written.phase
            )
            SELECT native_id FROM written""";

    private static final String REMOVE_AND_REMEMBER = """
            WITH gone AS (
                DELETE FROM workloads w WHERE w.engine_id = ? AND %s AND """ + Fence.HOLDS + """
                RETURNING w.id, w.engine_id, w.native_id, w.namespace, w.name, w.labels, w.spec, w.status, w.instances)
            INSERT INTO workload_events (engine_id, workload_id, workload_name, native_id, time, type, reason,
                                         message, last_state)
            SELECT engine_id, id, name, native_id, ?, 'Normal', 'Deleted',
                   'the workload no longer exists on the engine; its last known state is kept',
                   jsonb_build_object('namespace', namespace, 'labels', labels, 'spec', spec, 'status', status,
                                      'instances', instances)
            FROM gone
            ON CONFLICT DO NOTHING
            RETURNING workload_id, engine_id, native_id, last_state->>'namespace' AS namespace, workload_name""";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final JsonMapper json;
    private final EngineLeases leases;
    /** Bumped on every write that changed rows, so that cached list counts know when they are outdated. */
    private final AtomicLong generation = new AtomicLong();
    private final MeterRegistry meters;
    private final WorkloadStatistics statistics;
    /**
     * What tells a changed workload from an unchanged one: SipHash-2-4 under a key of this installation, 64 bits.
     * SHA-256 was half of a no-change resync's CPU (C1, the only compiler scripts/run starts, does not compile it
     * to the CPU's SHA instructions); SipHash is several times faster and, keyed with a secret, still leaves a
     * workload's owner no way to make two contents collide so that a change of theirs goes unseen. One hasher per
     * thread, reused: the sync's writer threads hash every listed workload.
     */
    private final ThreadLocal<ContentHasher> contentHashers;

    WorkloadStore(JdbcTemplate jdbc, TransactionTemplate tx, JsonMapper json, EngineLeases leases, MeterRegistry meters,
                  WorkloadStatistics statistics, SecretKeys keys) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.json = json;
        this.leases = leases;
        this.meters = meters;
        this.statistics = statistics;
        ByteBuffer key = ByteBuffer.wrap(keys.derive("workload-content-hash")).order(ByteOrder.LITTLE_ENDIAN);
        long k0 = key.getLong();
        long k1 = key.getLong();
        this.contentHashers = ThreadLocal.withInitial(() -> new ContentHasher(k0, k1));
    }

    /**
     * Inserts or updates the engine's workloads in batches and clears their {@code stale} flag. The stored
     * hashes of each batch are read first (one index lookup per batch), so that an unchanged workload is not
     * even sent to the database and a resync that finds nothing changed writes nothing.
     *
     * @return the native ids of the workloads that were new or changed
     */
    public List<String> upsert(Engine engine, Fence fence, List<Workload> workloads, Instant now) {
        return upsert(engine, fence, workloads, now, null);
    }

    /**
     * The same, compared with {@code stored} when not null: the engine's hashes as {@link #storedHashes(Engine)}
     * read them before a full listing, whose batches then cost the database nothing when unchanged.
     */
    public List<String> upsert(Engine engine, Fence fence, List<Workload> workloads, Instant now,
                               StoredHashes stored) {
        List<String> changed = new ArrayList<>();
        for (int from = 0; from < workloads.size(); from += BATCH) {
            List<Workload> part = workloads.subList(from, Math.min(workloads.size(), from + BATCH));
            StoredHashes known = stored != null ? stored : storedHashes(engine, part);
            List<String[]> rows = new ArrayList<>();
            for (Workload w : part) {
                // an unchanged workload costs its documents and their hash, nothing kept: its row is never made
                Documents content = Documents.of(json, w);
                long hash = hash(engine, w, content);
                if (!known.holds(w.nativeId(), hash)) {
                    rows.add(row(WorkloadIds.of(engine.id(), w.nativeId()), w, content,
                            HashCode.fromLong(hash).toString()));
                }
            }
            if (!rows.isEmpty()) {
                changed.addAll(tx.execute(t -> {
                    // a sync write is the engine's state copied: should PostgreSQL itself crash before it flushed the
                    // last few hundred milliseconds of them, the stored hashes are the old ones and the next sync
                    // writes those rows again; so the sync need not wait for a WAL flush per batch
                    jdbc.execute("SET LOCAL synchronous_commit TO off");
                    return upsertBatch(engine, fence, rows, now);
                }));
            }
        }
        if (!changed.isEmpty()) {
            generation.incrementAndGet();
            written(engine.name(), changed.size());
        }
        return changed;
    }

    /**
     * The stored hashes of the engine's workloads that are not stale. One index range read: a full listing compares
     * its batches with it instead of looking each batch up (twenty lookups of 1,000 keys cost 60 ms at a million
     * rows in psql, this read 3 ms).
     */
    public StoredHashes storedHashes(Engine engine) {
        StoredHashes stored = new StoredHashes();
        jdbc.query("SELECT native_id, content_hash FROM workloads WHERE engine_id = ? AND NOT stale",
                rs -> {
                    stored.put(rs.getString(1), rs.getString(2));
                }, engine.id());
        return stored;
    }

    /**
     * The stored hashes of the batch's workloads, as {@link #storedHashes(Engine)}. Looked up by primary key (the id
     * follows from engine and native id): the same lookup by {@code engine_id = ? AND native_id = ANY(?)} was seen
     * taking 9 s per batch once the table held a few engines (the planner has several indexes on {@code native_id}
     * to choose from, a trigram one among them).
     */
    private StoredHashes storedHashes(Engine engine, List<Workload> batch) {
        UUID[] ids = batch.stream().map(w -> WorkloadIds.of(engine.id(), w.nativeId())).toArray(UUID[]::new);
        StoredHashes stored = new StoredHashes();
        jdbc.query((Connection c) -> {
            PreparedStatement ps = c.prepareStatement("SELECT native_id, content_hash FROM workloads "
                    + "WHERE id = ANY(?) AND NOT stale");
            ps.setArray(1, c.createArrayOf("uuid", ids));
            return ps;
        }, rs -> {
            stored.put(rs.getString(1), rs.getString(2));
        });
        return stored;
    }

    /** Counts rows inserted, updated or deleted for the engine ({@code gantry_sync_rows_written_total}). */
    private void written(String engineName, int rows) {
        statistics.written(rows);
        Counter.builder("gantry.sync.rows.written").description("Workload rows inserted, updated or deleted by sync")
                .tag("engine", engineName).register(meters).increment(rows);
    }

    private static final int COLUMNS = 16;

    /**
     * The JSON columns of a workload (labels, spec, status, instances) written by one JSON generator as one array, and
     * where in it each ends: one generator per workload instead of four, which was most of the CPU a resync spent per
     * unchanged workload, while PostgreSQL still gets each document on its own (taking them out of one document it
     * parsed it five times, a sixth of a first sync's database time). The buffer is kept per thread and reused by the
     * next workload, so that an unchanged workload leaves no bytes behind for the collector.
     */
    private static final class Documents extends ByteArrayOutputStream {
        private static final ThreadLocal<Documents> PER_THREAD = ThreadLocal.withInitial(Documents::new);
        /** A buffer grown past this by a huge workload is not kept for the next ones. */
        private static final int KEEP_UP_TO = 256 * 1024;
        private final int[] ends = new int[4];

        private Documents() {
            super(4096);
        }

        static Documents of(JsonMapper json, Workload w) {
            Documents out = PER_THREAD.get();
            if (out.buf.length > KEEP_UP_TO) {
                out = new Documents();
                PER_THREAD.set(out);
            }
            out.reset();
            // labels by key: a workload's labels are a Map.copyOf, whose order changes from one JVM run to the next,
            // and a restart hashed most workloads with two labels or more as changed and wrote them all again (an
            // engine's env keeps the order the engine gave, which may matter to it)
            Object[] parts = {new TreeMap<>(w.labels()), w.spec(), w.status(), w.instances()};
            try (JsonGenerator g = json.createGenerator(out)) {
                g.writeStartArray();
                for (int i = 0; i < parts.length; i++) {
                    json.writeValue(g, parts[i]);
                    g.flush();
                    out.ends[i] = out.count;
                }
                g.writeEndArray();
            }
            return out;
        }

        void hashInto(ContentHasher hasher) {
            hasher.putBytes(buf, 0, count);
        }

        String part(int i) {
            int from = (i == 0 ? 0 : ends[i - 1]) + 1;
            return new String(buf, from, ends[i] - from, StandardCharsets.UTF_8);
        }
    }

    /**
     * The workload's content hash: its engine's name and kind, namespace, name and kind, its documents, native object
     * and creation time, each followed by a zero byte.
     */
    private long hash(Engine engine, Workload w, Documents content) {
        ContentHasher hasher = contentHashers.get().reset();
        for (String part : new String[] {engine.name(), engine.kind(), w.namespace(), w.name(), w.kind().name()}) {
            put(hasher, part);
        }
        content.hashInto(hasher);
        hasher.putByte(0);
        put(hasher, w.nativeObject());
        if (w.createdAt() != null) {
            hasher.putInstant(w.createdAt());
        }
        hasher.putByte(0);
        return hasher.hash();
    }

    private static void put(ContentHasher hasher, String part) {
        if (part != null) {
            hasher.putString(part);
        }
        hasher.putByte(0);
    }

    /** The unnest columns of one workload, in the order of {@link #UPSERT}. */
    private static String[] row(UUID id, Workload w, Documents content, String hash) {
        return new String[] {
                id.toString(), w.nativeId(), w.namespace(), w.name(), w.kind().name(), w.status().phase().name(),
                w.spec().image(), content.part(0), content.part(1), content.part(2), content.part(3),
                Integer.toString(w.status().desired()), Integer.toString(w.status().running()), w.nativeObject(),
                hash, w.createdAt() == null ? null : w.createdAt().toString()};
    }

    private List<String> upsertBatch(Engine engine, Fence fence, List<String[]> batch, Instant now) {
        int n = batch.size();
        String[][] columns = new String[COLUMNS][n];
        for (int i = 0; i < n; i++) {
            String[] row = batch.get(i);
            for (int col = 0; col < columns.length; col++) {
                columns[col][i] = row[col];
            }
        }
        Timestamp at = Timestamp.from(now);
        List<String> changed = jdbc.query((Connection c) -> {
            PreparedStatement ps = c.prepareStatement(UPSERT);
            for (int col = 0; col < columns.length; col++) {
                ps.setArray(1 + col, c.createArrayOf("text", columns[col]));
            }
            int next = 1 + columns.length;
            ps.setObject(next++, engine.id());
            ps.setString(next++, engine.name());
            ps.setString(next++, engine.kind());
            ps.setTimestamp(next++, at);
            ps.setTimestamp(next++, at);
            ps.setObject(next++, fence.engineId());
            ps.setLong(next++, fence.token());
            ps.setTimestamp(next, at);
            return ps;
        }, (rs, row) -> rs.getString(1));
        return unlessRefused(changed, fence);
    }

    /** A fenced write that wrote nothing was either a no-op or refused: only the lease tells which. */
    private <T> List<T> unlessRefused(List<T> written, Fence fence) {
        if (written.isEmpty() && !leases.holds(fence)) {
            throw new LeaseLostException(fence);
        }
        return written;
    }

    /**
     * Deletes the engine's workloads that a complete listing did not hold, in batches, keeping each one's last
     * state as an event. Only the stored ids are read to find them, so a listing that lost nothing deletes nothing.
     * Call it after a <em>complete</em> listing only: one cut short would delete what it did not reach.
     */
    public List<RemovedWorkload> removeAllBut(Engine engine, Fence fence, Set<String> listedNativeIds, Instant now) {
        List<String> gone = new ArrayList<>();
        jdbc.query("SELECT native_id FROM workloads WHERE engine_id = ?", rs -> {
            String nativeId = rs.getString(1);
            if (!listedNativeIds.contains(nativeId)) {
                gone.add(nativeId);
            }
        }, fence.engineId());
        List<RemovedWorkload> removed = new ArrayList<>();
        String sql = REMOVE_AND_REMEMBER.formatted("w.id = ANY(?)");
        for (int from = 0; from < gone.size(); from += BATCH) {
            UUID[] batch = gone.subList(from, Math.min(gone.size(), from + BATCH)).stream()
                    .map(nativeId -> WorkloadIds.of(fence.engineId(), nativeId)).toArray(UUID[]::new);
            removed.addAll(unlessRefused(jdbc.query((Connection c) -> {
                PreparedStatement ps = c.prepareStatement(sql);
                ps.setObject(1, fence.engineId());
                ps.setArray(2, c.createArrayOf("uuid", batch));
                ps.setObject(3, fence.engineId());
                ps.setLong(4, fence.token());
                ps.setTimestamp(5, Timestamp.from(now));
                return ps;
            }, WorkloadStore::removed), fence));
        }
        if (!removed.isEmpty()) {
            generation.incrementAndGet();
            written(engine.name(), removed.size());
        }
        return removed;
    }

    /** Deletes one workload the engine reported gone, keeping its last state as an event. */
    public Optional<RemovedWorkload> remove(Engine engine, Fence fence, String nativeId, Instant now) {
        generation.incrementAndGet();
        Optional<RemovedWorkload> removed = unlessRefused(jdbc.query(REMOVE_AND_REMEMBER.formatted("w.id = ?"),
                WorkloadStore::removed, fence.engineId(), WorkloadIds.of(fence.engineId(), nativeId), fence.engineId(),
                fence.token(), Timestamp.from(now)),
                fence).stream().findFirst();
        removed.ifPresent(r -> written(engine.name(), 1));
        return removed;
    }

    /** Flags every workload of the engine as its last known state (engine DOWN). */
    public int markStale(Fence fence) {
        int marked = jdbc.update("UPDATE workloads w SET stale = true WHERE w.engine_id = ? AND NOT w.stale AND" + Fence.HOLDS,
                fence.engineId(), fence.engineId(), fence.token());
        if (marked == 0 && !leases.holds(fence)) {
            throw new LeaseLostException(fence);
        }
        if (marked > 0) {
            generation.incrementAndGet();
        }
        return marked;
    }

    public Optional<WorkloadView> find(UUID id) {
        return jdbc.query("SELECT " + VIEW_COLUMNS + " FROM workloads w WHERE w.id = ?", this::view, id)
                .stream().findFirst();
    }

    /** Changes with every write to the workloads; equal values mean nothing was written in between. */
    public long generation() {
        return generation.get();
    }

    /** A registration changed or went away: its workloads were renamed or forgotten by the database itself. */
    @EventListener({EngineSaved.class, EngineRemoved.class})
    void onEngineChange() {
        generation.incrementAndGet();
    }

    /** The engine's own object as JSON text, as the adapter gave it. */
    Optional<String> nativeObject(UUID id) {
        return jdbc.query("SELECT native_object FROM workloads WHERE id = ?", (rs, n) -> rs.getString(1), id)
                .stream().findFirst();
    }

    /** Workload count per engine and phase: {@code engineId -> phase -> count}. */
    /** Per engine and phase, of the workloads within {@code scope} (a condition over alias {@code w}). */
    Map<UUID, Map<String, Long>> phaseCounts(Scope.Condition scope) {
        Map<UUID, Map<String, Long>> counts = new HashMap<>();
        jdbc.query("SELECT w.engine_id, w.phase, count(*) FROM workloads w WHERE " + scope.sql()
                + " GROUP BY w.engine_id, w.phase", rs -> {
                    counts.computeIfAbsent(rs.getObject(1, UUID.class), k -> new TreeMap<>())
                            .put(rs.getString(2), rs.getLong(3));
                }, scope.params().toArray());
        return counts;
    }

    /**
     * Workloads someone should look at (DEGRADED, FAILED, PENDING, PAUSED, or stale), most recently changed
     * first. PAUSED is here because a paused rollout goes nowhere until someone resumes it, and Swarm pauses
     * a failing update by default.
     */
    List<WorkloadView> needingAttention(Scope.Condition scope, int limit) {
        List<Object> params = new ArrayList<>(scope.params());
        params.add(limit);
        return jdbc.query("SELECT " + VIEW_COLUMNS + " FROM workloads w WHERE " + scope.sql() + " AND (w.phase IN "
                + "('DEGRADED', 'FAILED', 'PENDING', 'PAUSED') OR w.stale) ORDER BY w.updated_at DESC LIMIT ?", this::view,
                params.toArray());
    }

    <T> List<T> query(String sql, List<Object> params, RowMapper<T> rows) {
        return jdbc.query(sql, rows, params.toArray());
    }

    long count(String sql, List<Object> params) {
        Long total = jdbc.queryForObject(sql, Long.class, params.toArray());
        return total == null ? 0 : total;
    }

    WorkloadView view(ResultSet rs, int row) throws SQLException {
        Timestamp created = rs.getTimestamp("created_at");
        return new WorkloadView(rs.getObject("id", UUID.class),
                new EngineRef(rs.getObject("engine_id", UUID.class), rs.getString("engine_name"), rs.getString("engine_kind")),
                rs.getString("native_id"), rs.getString("namespace"), rs.getString("name"),
                WorkloadKind.valueOf(rs.getString("kind")), json.readValue(rs.getString("labels"), STRING_MAP),
                json.readValue(rs.getString("spec"), WorkloadSpec.class),
                json.readValue(rs.getString("status"), WorkloadStatus.class),
                json.readValue(rs.getString("instances"), INSTANCES),
                created == null ? null : created.toInstant(), rs.getTimestamp("synced_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant(), rs.getBoolean("stale"));
    }

    private static RemovedWorkload removed(ResultSet rs, int row) throws SQLException {
        return new RemovedWorkload(rs.getObject("workload_id", UUID.class), rs.getObject("engine_id", UUID.class),
                rs.getString("native_id"), rs.getString("namespace"), rs.getString("workload_name"));
    }
}
