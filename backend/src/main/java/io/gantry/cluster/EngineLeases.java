package io.gantry.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The engine leases and replica heartbeats in PostgreSQL. Each acquisition and each renewal is one
 * statement, decided by the database's clock, so replicas need no synchronized clocks.
 */
@Repository
@EnableConfigurationProperties(ClusterSettings.class)
public class EngineLeases {
    private final JdbcClient jdbc;
    private final ReplicaId replica;
    private final String leaseSeconds;

    EngineLeases(JdbcClient jdbc, ReplicaId replica, ClusterSettings settings) {
        this.jdbc = jdbc;
        this.replica = replica;
        this.leaseSeconds = seconds(settings.leaseDuration());
    }

    private static String seconds(Duration d) {
        return d.toMillis() / 1000.0 + " seconds";
    }

    /** Records that this replica is alive. */
    public void heartbeat() {
        jdbc.sql("INSERT INTO replicas (id, heartbeat_at) VALUES (?, now()) "
                        + "ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()")
                .params(replica.value()).update();
    }

    /** Replicas whose heartbeat is younger than a lease, this one included once it beat. */
    public int liveReplicas() {
        return jdbc.sql("SELECT count(*) FROM replicas WHERE heartbeat_at > now() - ?::interval")
                .params(leaseSeconds).query(Integer.class).single();
    }

    /** Ids of the replicas whose heartbeat is younger than a lease. */
    public List<String> liveReplicaIds() {
        return jdbc.sql("SELECT id FROM replicas WHERE heartbeat_at > now() - ?::interval")
                .params(leaseSeconds).query(String.class).list();
    }

    public int engineCount() {
        return jdbc.sql("SELECT count(*) FROM engines").query(Integer.class).single();
    }

    /** Registered engines without a live lease, in random order so that replicas do not all race for the same one. */
    public List<UUID> unowned() {
        return jdbc.sql("""
                SELECT e.id FROM engines e LEFT JOIN engine_leases l ON l.engine_id = e.id
                WHERE l.engine_id IS NULL OR l.expires_at < now() ORDER BY random()""")
                .query(UUID.class).list();
    }

    /** Takes the engine's lease if it is free or expired, under a new, larger token. */
    public Optional<Fence> acquire(UUID engineId) {
        return jdbc.sql("""
                INSERT INTO engine_leases (engine_id, owner, token, expires_at)
                SELECT e.id, ?, nextval('engine_lease_tokens'), now() + ?::interval FROM engines e WHERE e.id = ?
                ON CONFLICT (engine_id) DO UPDATE SET owner = EXCLUDED.owner, token = EXCLUDED.token,
                                                      expires_at = EXCLUDED.expires_at
                WHERE engine_leases.expires_at < now()
                RETURNING token""")
                .params(replica.value(), leaseSeconds, engineId)
                .query(Long.class).optional().map(token -> new Fence(engineId, token));
    }

    /**
     * Extends every lease this replica holds and returns them; a lease missing from the answer was
     * taken over (it had expired) or its engine unregistered.
     */
    public Map<UUID, Long> renewAll() {
        Map<UUID, Long> held = new HashMap<>();
        jdbc.sql("UPDATE engine_leases SET expires_at = now() + ?::interval WHERE owner = ? RETURNING engine_id, token")
                .params(leaseSeconds, replica.value())
                .query(rs -> {
                    held.put(rs.getObject(1, UUID.class), rs.getLong(2));
                });
        return held;
    }

    /**
     * Gives the lease up at once (it expires now and has no owner, so no renewal revives it): another
     * replica takes it without waiting. Its token stays, so a late write under it is still accepted
     * until someone acquires the engine.
     */
    public void release(Fence fence) {
        jdbc.sql("UPDATE engine_leases SET owner = '', expires_at = now() - interval '1 second' WHERE engine_id = ? AND token = ?")
                .params(fence.engineId(), fence.token()).update();
    }

    /** This replica leaves: its leases expire now and it no longer counts as live. */
    public void leave() {
        jdbc.sql("UPDATE engine_leases SET owner = '', expires_at = now() - interval '1 second' WHERE owner = ?")
                .params(replica.value()).update();
        jdbc.sql("DELETE FROM replicas WHERE id = ?").params(replica.value()).update();
    }

    /** Whether the fence is still the engine's current lease. */
    public boolean holds(Fence fence) {
        return jdbc.sql("SELECT count(*) FROM engine_leases WHERE engine_id = ? AND token = ?")
                .params(fence.engineId(), fence.token()).query(Integer.class).single() > 0;
    }

    /** Owner replica of every engine whose lease is live. */
    public Map<UUID, String> owners() {
        Map<UUID, String> owners = new HashMap<>();
        jdbc.sql("SELECT engine_id, owner FROM engine_leases WHERE expires_at >= now()")
                .query(rs -> {
                    owners.put(rs.getObject(1, UUID.class), rs.getString(2));
                });
        return owners;
    }
}
