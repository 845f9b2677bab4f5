package io.gantry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Loads N workloads on E engines straight into a server's database (see {@link ListsBench} for why and how they are
 * shaped). The secondary indexes of {@code workloads} are dropped for the load and built again after it, as a restore
 * does: a million inserts into four trigram indexes would take far longer than building them once.
 */
final class WorkloadRows {
    private static final long SQL_TIMEOUT_SECONDS = 900;

    private WorkloadRows() {
    }

    static void load(GantryServer server, int engines, int n) throws IOException, InterruptedException {
        // one real sync of a one-workload engine: the row as the sync stores it, the template of the million
        String template = server.registerEngine(
                "{\"name\":\"template\",\"kind\":\"synthetic\",\"endpoint\":\"synthetic://1\"}", 1, Duration.ofMinutes(2));
        Psql db = server.database();
        String indexes = db.run("SELECT string_agg(indexdef, ';' || chr(10)) FROM pg_indexes WHERE tablename = 'workloads'"
                + " AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'workloads'::regclass)", 60);
        String drop = db.run("SELECT string_agg('DROP INDEX ' || indexname, ';' || chr(10)) FROM pg_indexes WHERE"
                + " tablename = 'workloads' AND indexname NOT IN (SELECT conname FROM pg_constraint"
                + " WHERE conrelid = 'workloads'::regclass)", 60);
        int perEngine = (n + engines - 1) / engines;
        db.run("""
                SET maintenance_work_mem = '256MB';
                BEGIN;
                CREATE TEMP TABLE t AS SELECT * FROM workloads WHERE engine_name = 'template';
                INSERT INTO engines (id, name, kind, endpoint, status, last_sync_at)
                SELECT gen_random_uuid(), 'bench-' || e, 'synthetic', 'synthetic://%2$d', 'UP', now()
                FROM generate_series(0, %1$d - 1) e;
                -- leased to a replica that never comes: the server lists these engines but does not sync them
                INSERT INTO engine_leases (engine_id, owner, token, expires_at)
                SELECT id, 'bench-loader', nextval('engine_lease_tokens'), now() + interval '1 day'
                FROM engines WHERE name LIKE 'bench-%%';
                INSERT INTO engine_nodes (engine_id, name, address, status, role, seen_at)
                SELECT e.id, e.name || '-node-' || k, '10.' || (row_number() OVER ()) %% 250 || '.0.' || k, 'READY',
                       'worker', now()
                FROM engines e, generate_series(0, 19) k WHERE e.name LIKE 'bench-%%';
                %4$s;
                INSERT INTO workloads (id, engine_id, engine_name, engine_kind, native_id, namespace, name, kind, phase,
                                       image, labels, desired, running, stale, spec, status, instances, native_object,
                                       content_hash, created_at, synced_at, updated_at)
                SELECT gen_random_uuid(), e.id, e.name, 'synthetic', 'ns-' || i %% 20 || '/svc-' || i, 'ns-' || i %% 20,
                       'svc-' || i, CASE WHEN i %% 10 = 9 THEN 'DAEMON' ELSE 'SERVICE' END,
                       CASE WHEN i %% 17 = 0 THEN 'DEGRADED' ELSE 'RUNNING' END,
                       'registry.example/team-' || i %% 40 || '/svc:' || i %% 30,
                       jsonb_build_object('app', 'app-' || i %% 50, 'tier', CASE WHEN i %% 2 = 0 THEN 'web' ELSE 'worker' END),
                       1 + i %% 3, 1 + i %% 3, false,
                       replace(t.spec::text, 'registry.example/team-0/svc:0',
                               'registry.example/team-' || i %% 40 || '/svc:' || i %% 30)::json,
                       replace(t.status::text, '"phase":"' || t.phase || '"',
                               '"phase":"' || CASE WHEN i %% 17 = 0 THEN 'DEGRADED' ELSE 'RUNNING' END || '"')::json,
                       replace(t.instances::text, 'svc-0-', 'svc-' || i || '-')::json,
                       replace(t.native_object, 'svc-0', 'svc-' || i), md5(i::text), t.created_at,
                       now(), now() - make_interval(secs => i)
                FROM generate_series(0, %3$d - 1) i
                JOIN engines e ON e.name = 'bench-' || i / %2$d
                CROSS JOIN t;
                COMMIT;
                %5$s;
                VACUUM ANALYZE workloads;
                VACUUM ANALYZE engines;
                VACUUM ANALYZE engine_nodes;
                """.formatted(engines, perEngine, n, drop, indexes), SQL_TIMEOUT_SECONDS);
        server.send("DELETE", "/api/v1/engines/" + template, null);
        String count = db.run("SELECT count(*) FROM workloads", 120);
        if (Long.parseLong(count) != n) {
            throw new IllegalStateException("loaded " + count + " workloads, not " + n);
        }
    }

    /** The machine's 1/5/15-minute load: on a shared machine the p99 follows it more than it follows the code. */
    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
