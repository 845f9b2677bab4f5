package io.gantry.access;

import io.gantry.security.Role;
import io.gantry.stream.LiveStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The live stream cut to each subscriber's grants. A global VIEWER sees every event. Anyone else sees an event only
 * when it can be placed within their grants: a workload's by its engine and namespace (an operation's and a
 * revision's through their workload), an engine's status by a grant on that engine. What cannot be placed is not
 * sent: a stream must never carry what the lists would hide. Grants are re-read every {@link #FRESH}, so a revoked
 * one stops the events within that time.
 */
@Component
class StreamAudiences implements LiveStream.Audiences {
    static final Duration FRESH = Duration.ofSeconds(5);

    private final Scopes scopes;
    private final JdbcTemplate jdbc;
    private final JsonMapper json;

    StreamAudiences(Scopes scopes, JdbcTemplate jdbc, JsonMapper json) {
        this.scopes = scopes;
        this.jdbc = jdbc;
        this.json = json;
    }

    @Override
    public LiveStream.Audience of(Authentication caller) {
        Role global = Role.of(caller).orElse(Role.NONE);
        if (global.includes(Role.VIEWER)) {
            return LiveStream.Audience.EVERYTHING;
        }
        return new Scoped(caller.getName(), global);
    }

    /** Where an event happened: an engine's name and a namespace (null: engine-wide). */
    private record Place(String engine, String namespace) {
    }

    private final class Scoped implements LiveStream.Audience {
        private final String username;
        private final Role global;
        private volatile Scope scope;
        private volatile long readAt;

        Scoped(String username, Role global) {
            this.username = username;
            this.global = global;
        }

        @Override
        public boolean sees(String event, String data) {
            Scope current = scope();
            if (current.grants().isEmpty()) {
                return false;
            }
            Optional<Place> place;
            try {
                place = place(event, json.readTree(data));
            } catch (RuntimeException unreadable) {
                return false;
            }
            return place.map(p -> p.namespace() == null ? current.touchesEngine(Role.VIEWER, p.engine())
                    : current.allows(Role.VIEWER, p.engine(), p.namespace())).orElse(false);
        }

        private Scope scope() {
            long now = System.nanoTime();
            if (scope == null || now - readAt > FRESH.toNanos()) {
                scope = scopes.of(username, global);
                readAt = now;
            }
            return scope;
        }
    }

    private Optional<Place> place(String event, JsonNode data) {
        return switch (event) {
            case LiveStream.WORKLOAD_UPDATED, LiveStream.WORKLOAD_DELETED ->
                    Optional.of(new Place(data.path("engine").path("name").asString(), data.path("namespace").asString()));
            case LiveStream.ENGINE_STATUS -> Optional.of(new Place(data.path("name").asString(), null));
            case LiveStream.OPERATION_UPDATED, LiveStream.WORKLOAD_REVISION ->
                    workload(data.path("workloadId").asString());
            default -> Optional.empty();
        };
    }

    /** A stored workload's place; none for one that is gone (or not made yet): such an event is not sent. */
    private Optional<Place> workload(String id) {
        UUID workloadId;
        try {
            workloadId = UUID.fromString(id);
        } catch (IllegalArgumentException notAnId) {
            return Optional.empty();
        }
        List<Place> places = jdbc.query("SELECT engine_name, namespace FROM workloads WHERE id = ?",
                (rs, i) -> new Place(rs.getString(1), rs.getString(2)), workloadId);
        return places.stream().findFirst();
    }
}
