package io.gantry.stream;

import io.gantry.cluster.EngineLeases;
import io.gantry.cluster.ReplicaId;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Carries live updates between replicas through PostgreSQL NOTIFY/LISTEN: every event published here
 * is sent on channel {@value #CHANNEL} with this replica's id, and every replica LISTENs on a connection
 * of its own and hands the others' events to its local subscribers (its own it delivered already).
 * A payload over NOTIFY's 8000-byte limit travels in {@code live_events}, the notification naming its id.
 */
@Component
class LiveRelay implements SmartLifecycle {
    static final String CHANNEL = "gantry_live";
    /** NOTIFY refuses payloads of 8000 bytes and more. */
    static final int MAX_PAYLOAD_BYTES = 7_900;
    private static final long POLL_MILLIS = 250;
    private static final long PEER_CHECK_MILLIS = 2_000;
    private static final Logger log = LoggerFactory.getLogger(LiveRelay.class);

    /** An event from another replica, its data already JSON text. */
    record RemoteEvent(String event, String json) {
    }

    interface Receiver {
        void receive(RemoteEvent event);
    }

    private final DataSource dataSource;
    private final JsonMapper json;
    private final ReplicaId replica;
    private final EngineLeases leases;
    private final BlockingQueue<String> outgoing = new LinkedBlockingQueue<>();
    private volatile Receiver receiver = e -> {
    };
    private volatile boolean peers;
    private volatile boolean running;
    private Thread sender;
    private Thread listener;

    LiveRelay(DataSource dataSource, JsonMapper json, ReplicaId replica, EngineLeases leases) {
        this.dataSource = dataSource;
        this.json = json;
        this.replica = replica;
        this.leases = leases;
    }

    void onReceive(Receiver receiver) {
        this.receiver = receiver;
    }

    /** Whether other replicas are alive, whose subscribers may want this replica's events. */
    boolean hasPeers() {
        return peers;
    }

    /** Queues the event for the other replicas; never blocks (a sync worker calls this). */
    void send(String event, Object data) {
        if (!peers) {
            return;
        }
        ObjectNode message = json.createObjectNode();
        message.put("o", replica.value());
        message.put("e", event);
        message.set("d", json.valueToTree(data));
        outgoing.add(message.toString());
    }

    /** Sends what is queued, many events to one statement. */
    private void sendLoop() {
        while (running) {
            try {
                String first = outgoing.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                List<String> batch = new ArrayList<>(List.of(first));
                outgoing.drainTo(batch, 999);
                notifyAll(batch);
            } catch (InterruptedException e) {
                return;
            } catch (SQLException | RuntimeException e) {
                log.warn("Live updates could not be sent to the other replicas: {}", e.toString());
            }
        }
    }

    private void notifyAll(List<String> batch) throws SQLException {
        List<String> payloads = new ArrayList<>(batch.size());
        try (Connection c = dataSource.getConnection()) {
            for (String message : batch) {
                if (message.getBytes(StandardCharsets.UTF_8).length <= MAX_PAYLOAD_BYTES) {
                    payloads.add(message);
                } else {
                    payloads.add(json.createObjectNode().put("o", replica.value()).put("id", store(c, message)).toString());
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify('" + CHANNEL + "', p) FROM unnest(?::text[]) AS p")) {
                ps.setArray(1, c.createArrayOf("text", payloads.toArray(String[]::new)));
                ps.execute();
            }
        }
    }

    private static long store(Connection c, String message) throws SQLException {
        try (Statement cleanup = c.createStatement()) {
            cleanup.execute("DELETE FROM live_events WHERE created_at < now() - interval '1 minute'");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO live_events (message) VALUES (?::jsonb) RETURNING id")) {
            ps.setString(1, message);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** LISTENs on a connection of its own, taken again after a failure. */
    private void listenLoop() {
        while (running) {
            try (Connection c = dataSource.getConnection()) {
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                long peersCheckedAt = 0;
                while (running) {
                    if (System.currentTimeMillis() - peersCheckedAt > PEER_CHECK_MILLIS) {
                        peers = leases.liveReplicas() > 1;
                        peersCheckedAt = System.currentTimeMillis();
                    }
                    PGNotification[] notifications = pg.getNotifications((int) POLL_MILLIS);
                    if (notifications != null) {
                        for (PGNotification n : notifications) {
                            receive(c, n.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    log.warn("Listening for other replicas' live updates failed, again in 1 s: {}", e.toString());
                    try {
                        Thread.sleep(1_000);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }
    }

    private void receive(Connection c, String payload) throws SQLException {
        JsonNode message = json.readTree(payload);
        if (replica.value().equals(message.path("o").asString())) {
            return;
        }
        if (message.has("id")) {
            try (PreparedStatement ps = c.prepareStatement("SELECT message::text FROM live_events WHERE id = ?")) {
                ps.setLong(1, message.get("id").asLong());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return;
                    }
                    message = json.readTree(rs.getString(1));
                }
            }
        }
        receiver.receive(new RemoteEvent(message.get("e").asString(), message.get("d").toString()));
    }

    @Override
    public void start() {
        running = true;
        peers = leases.liveReplicas() > 1;
        sender = daemon("live-relay-send", this::sendLoop);
        listener = daemon("live-relay-listen", this::listenLoop);
    }

    private static Thread daemon(String name, Runnable loop) {
        Thread thread = new Thread(loop, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @Override
    public void stop() {
        running = false;
        sender.interrupt();
        try {
            sender.join(1_000);
            listener.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
