package io.gantry.workload;

import io.gantry.audit.AuditTrail;
import io.gantry.engine.Engine;
import io.gantry.engine.EngineRemoved;
import io.gantry.engine.EngineSaved;
import io.gantry.engine.EngineStore;
import io.gantry.secret.SecretNames;
import io.gantry.security.Role;
import io.gantry.spi.WorkloadSpec;
import io.gantry.stream.LiveStream;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.servlet.HandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Env values whose key looks secret ({@link SecretNames}, plus the keys an engine registration lists in
 * its option {@value #OPTION}) are {@value #MASK} for VIEWERs in every answer and stream; OPERATORs and
 * ADMINs see them, and each request that showed them any leaves one audit entry (not one per workload:
 * a list of 500 would otherwise write 500 rows for one look). Masking happens on the way out only: what
 * is stored, compared and deployed keeps the real values.
 */
@Component
public class EnvSecrets implements LiveStream.Visibility {
    public static final String MASK = "***";
    /**
     * Engine option: more env keys whose values are secret, comma-separated, case-insensitive, {@code *}
     * matching any run of characters ({@code DATABASE_URL, *_DSN}).
     */
    public static final String OPTION = "secretEnvKeys";
    /**
     * How long an engine's declared keys are trusted before they are read again. A change made on this
     * replica applies at once (EngineSaved); one made on another replica within this time.
     */
    private static final long DECLARED_TTL_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int MAX_AUDITED_IDS = 20;
    private static final Logger log = LoggerFactory.getLogger(EnvSecrets.class);

    private final EngineStore engines;
    private final AuditTrail trail;
    private final JsonMapper json;
    private final Clock clock = Clock.systemUTC();
    private final Map<UUID, Declared> declared = new ConcurrentHashMap<>();

    EnvSecrets(EngineStore engines, AuditTrail trail, JsonMapper json) {
        this.engines = engines;
        this.trail = trail;
        this.json = json;
    }

    /** Whether this caller sees secret env values: OPERATOR and above. */
    public static boolean revealedTo(Authentication caller) {
        return Role.of(caller).map(r -> r.includes(Role.OPERATOR)).orElse(false);
    }

    @Override
    public boolean revealsSecrets(Authentication caller) {
        return revealedTo(caller);
    }

    /** Only {@code workload.updated} carries env; every other event is the same for everyone. */
    @Override
    public String forViewers(String event, String json) {
        return LiveStream.WORKLOAD_UPDATED.equals(event) ? maskedJson(json) : json;
    }

    /** One audit entry per live stream: the first workload with secret values it was sent. */
    @Override
    public void revealed(String username, String remoteAddress, String event, String workloadJson) {
        JsonNode tree = json.readTree(workloadJson);
        UUID engineId = UUID.fromString(tree.path("engine").path("id").asString());
        List<String> keys = new ArrayList<>();
        tree.path("spec").path("env").propertyNames().forEach(keys::add);
        auditRead(username, "GET /api/v1/stream", remoteAddress, List.of(UUID.fromString(tree.path("id").asString())),
                secretKeys(engineId, keys));
    }

    /** What the caller of the current request may see, and the audit of what it saw. */
    public Reading reading() {
        return new Reading(revealedTo(SecurityContextHolder.getContext().getAuthentication()));
    }

    /** The keys of {@code env} that are secret on that engine, in their order. */
    public List<String> secretKeys(UUID engineId, Collection<String> keys) {
        List<String> secret = null;
        for (String key : keys) {
            if (isSecret(engineId, key)) {
                if (secret == null) {
                    secret = new ArrayList<>();
                }
                secret.add(key);
            }
        }
        return secret == null ? List.of() : secret;
    }

    public boolean isSecret(UUID engineId, String key) {
        return SecretNames.looksSecret(key) || declared(engineId).matches(key);
    }

    /** {@code env} with its secret values replaced by {@value #MASK}; the same map when none is. */
    public Map<String, String> masked(UUID engineId, Map<String, String> env) {
        if (env == null || secretKeys(engineId, env.keySet()).isEmpty()) {
            return env;
        }
        Map<String, String> out = new LinkedHashMap<>(env);
        out.replaceAll((k, v) -> isSecret(engineId, k) ? MASK : v);
        return out;
    }

    /** The workload as a VIEWER sees it; the same instance when it holds no secret value. */
    public WorkloadView masked(WorkloadView w) {
        if (w.spec() == null) {
            return w;
        }
        Map<String, String> env = masked(w.engine().id(), w.spec().env());
        if (env == w.spec().env()) {
            return w;
        }
        WorkloadSpec s = w.spec();
        return new WorkloadView(w.id(), w.engine(), w.nativeId(), w.namespace(), w.name(), w.kind(), w.labels(),
                new WorkloadSpec(s.image(), s.command(), s.args(), env, s.ports(), s.resources(),
                        s.replicas(), s.healthCheck(), s.constraints(), s.runtime(), s.secrets()),
                w.status(), w.instances(), w.createdAt(), w.syncedAt(), w.updatedAt(), w.stale());
    }

    /**
     * A workload's JSON text (as the live stream carries it) as a VIEWER sees it; the same string when
     * nothing in it is secret, so the caller can tell whether a second variant exists at all.
     */
    public String maskedJson(String workloadJson) {
        JsonNode tree = json.readTree(workloadJson);
        JsonNode env = tree.path("spec").path("env");
        String engine = tree.path("engine").path("id").asString(null);
        if (!(env instanceof ObjectNode envObject) || envObject.isEmpty() || engine == null) {
            return workloadJson;
        }
        UUID engineId = UUID.fromString(engine);
        boolean changed = false;
        for (Map.Entry<String, JsonNode> e : envObject.properties()) {
            if (isSecret(engineId, e.getKey())) {
                e.setValue(envObject.stringNode(MASK));
                changed = true;
            }
        }
        return changed ? json.writeValueAsString(tree) : workloadJson;
    }

    /**
     * One audit entry: {@code username} was shown the secret env values of these workloads.
     *
     * @param action the route, as the audit trail names requests ({@code GET /api/v1/workloads})
     */
    public void auditRead(String username, String action, String remoteAddress, Collection<UUID> workloads,
                          Collection<String> keys) {
        ObjectNode read = json.createObjectNode();
        read.put("workloads", workloads.size());
        read.putPOJO("keys", new TreeSet<>(keys));
        read.putPOJO("ids", workloads.stream().limit(MAX_AUDITED_IDS).map(UUID::toString).toList());
        ObjectNode detail = json.createObjectNode();
        detail.set("secretEnvRead", read);
        String target = workloads.size() == 1 ? workloads.iterator().next().toString() : workloads.size() + " workloads";
        try {
            trail.record(new AuditTrail.Record(clock.instant(), username, action, target, 200,
                    json.writeValueAsString(detail), remoteAddress));
        } catch (RuntimeException e) {
            // the answer is already built; a lost row must be loud but must not fail the read
            log.error("Could not write the audit record of {} reading secret env values", username, e);
        }
    }

    /** What the caller of one request is shown; {@link #audit()} once at the end writes the entry, if any. */
    public final class Reading {
        private final boolean reveals;
        private final Set<UUID> revealed = new LinkedHashSet<>();
        private final Set<String> revealedKeys = new TreeSet<>();

        private Reading(boolean reveals) {
            this.reveals = reveals;
        }

        public boolean reveals() {
            return reveals;
        }

        /** The workload as this caller sees it. */
        public WorkloadView view(WorkloadView w) {
            if (w.spec() == null) {
                return w;
            }
            List<String> secret = secretKeys(w.engine().id(), w.spec().env().keySet());
            if (secret.isEmpty()) {
                return w;
            }
            if (reveals) {
                revealed.add(w.id());
                revealedKeys.addAll(secret);
                return w;
            }
            return masked(w);
        }

        /**
         * A listed row as this caller sees it. For OPERATORs the row stays the stored text (issue 4's
         * copy, which bench/run.sh times with an admin token); only its env keys are read, to audit.
         * A VIEWER's row is parsed and written again only when it has a value to mask.
         */
        StoredWorkload stored(StoredWorkload row) {
            List<String> secret = secretKeys(row.engine().id(), EnvKeys.of(json, row.spec()));
            if (secret.isEmpty()) {
                return row;
            }
            if (reveals) {
                revealed.add(row.id());
                revealedKeys.addAll(secret);
                return row;
            }
            ObjectNode spec = (ObjectNode) json.readTree(row.spec());
            ObjectNode env = (ObjectNode) spec.get("env");
            secret.forEach(k -> env.put(k, MASK));
            return row.withSpec(json.writeValueAsString(spec));
        }

        /** Writes this request's one audit entry when it showed any secret value. */
        public void audit() {
            if (revealed.isEmpty()) {
                return;
            }
            HttpServletRequest request = RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes a
                    ? a.getRequest() : null;
            Object pattern = request == null ? null : request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
            String action = request == null ? "read" : request.getMethod() + " "
                    + (pattern != null ? pattern : request.getRequestURI());
            Authentication caller = SecurityContextHolder.getContext().getAuthentication();
            auditRead(caller == null ? "system" : caller.getName(), action,
                    request == null ? null : request.getRemoteAddr(), revealed, revealedKeys);
        }
    }

    @EventListener({EngineSaved.class})
    void onSaved(EngineSaved saved) {
        declared.remove(saved.engineId());
    }

    @EventListener({EngineRemoved.class})
    void onRemoved(EngineRemoved removed) {
        declared.remove(removed.engineId());
    }

    private Declared declared(UUID engineId) {
        if (engineId == null) {
            return Declared.NONE;
        }
        long now = System.nanoTime();
        Declared d = declared.get(engineId);
        if (d == null || now - d.readAt() > DECLARED_TTL_NANOS) {
            d = Declared.parse(engines.find(engineId).map(Engine::options).map(o -> o.get(OPTION)).orElse(null), now);
            declared.put(engineId, d);
        }
        return d;
    }

    /** An engine's {@value #OPTION}, as patterns. */
    private record Declared(List<Pattern> keys, long readAt) {
        static final Declared NONE = new Declared(List.of(), 0);

        static Declared parse(String option, long readAt) {
            List<Pattern> keys = new ArrayList<>();
            if (option != null) {
                for (String key : option.split(",")) {
                    String k = key.trim();
                    if (!k.isEmpty()) {
                        String[] parts = k.split("\\*", -1);
                        StringBuilder regex = new StringBuilder();
                        for (int i = 0; i < parts.length; i++) {
                            regex.append(i == 0 ? "" : ".*").append(Pattern.quote(parts[i]));
                        }
                        keys.add(Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE));
                    }
                }
            }
            return new Declared(List.copyOf(keys), readAt);
        }

        boolean matches(String key) {
            for (Pattern p : keys) {
                if (p.matcher(key).matches()) {
                    return true;
                }
            }
            return false;
        }
    }
}
