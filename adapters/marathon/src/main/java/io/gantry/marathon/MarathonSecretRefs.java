package io.gantry.marathon;

import static io.gantry.spi.json.Json.array;
import static io.gantry.spi.json.Json.object;
import static io.gantry.spi.json.Json.text;

import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.SecretRef;
import io.gantry.spi.json.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An app definition's secret references (Marathon docs, {@code docs/docs/secrets.md}) as {@link SecretRef}s, both
 * ways. Marathon names each secret it uses in {@code secrets: {"<id>": {"source": "<name in the secret store>"}}}
 * and refers to the id from an env var ({@code env: {"VAR": {"secret": "<id>"}}}) or a file volume
 * ({@code container.volumes: [{"containerPath": "...", "secret": "<id>"}]}). The values live in the DC/OS secret
 * store (a plugin), never in Marathon, so nothing here ever sees one.
 *
 * <p>The model's choices for Marathon: a DC/OS secret holds one value, so {@link SecretRef#key()} is always
 * {@code null} when read and refused when written; {@link SecretRef#source()} is the store's name as written
 * ({@code databasepassword}, {@code /db/password}); {@link SecretRef#path()} is {@code containerPath} as written,
 * which Marathon resolves under the task's sandbox when relative; Marathon sets no file mode, so
 * {@link SecretRef#mode()} is {@code null} and refused when written; there are no config objects.
 */
final class MarathonSecretRefs {
    private MarathonSecretRefs() {
    }

    /**
     * The references of an app definition: env vars first (in the definition's order), then file volumes. A
     * reference to an id that {@code secrets} does not define (Marathon refuses one on write) is left out.
     */
    static List<SecretRef> read(JsonNode app) {
        JsonNode secrets = object(app, "secrets");
        List<SecretRef> out = new ArrayList<>();
        JsonNode env = object(app, "env");
        if (env != null) {
            env.forEachEntry((name, value) -> {
                String source = source(secrets, text(value, "secret"));
                if (source != null) {
                    out.add(SecretRef.env(source, null, name));
                }
            });
        }
        for (JsonNode volume : array(object(app, "container"), "volumes")) {
            String source = source(secrets, text(volume, "secret"));
            if (source != null) {
                out.add(SecretRef.file(source, ConfigKind.SECRET, null, text(volume, "containerPath"), null));
            }
        }
        return out;
    }

    private static String source(JsonNode secrets, String id) {
        return id == null ? null : text(object(secrets, id), "source");
    }

    /**
     * Takes the app's secret references out, to put {@code refs} in their place with {@link Detached#attach} once
     * the rest of the definition is written (a command app loses its container on the way). What is taken out: the
     * env vars and volumes that refer to a defined secret, and those secrets' definitions. What stays: plain env
     * vars, other volumes, secrets that no env var or volume uses (a Docker {@code pullConfig} may) and references
     * Marathon would refuse anyway (to an undefined id). A secret keeps the id the definition gave it, so that an
     * update changes no more than it must.
     *
     * @throws InvalidSpecException naming {@code spec.secrets[i].<field>} for a reference Marathon cannot hold
     */
    static Detached detach(ObjectNode app, List<SecretRef> refs, Map<String, String> plainEnv) {
        check(refs, plainEnv);
        JsonNode oldSecrets = object(app, "secrets");
        Set<String> owned = new HashSet<>();
        if (object(app, "env") instanceof ObjectNode env) {
            List<String> secretEnv = new ArrayList<>();
            env.forEachEntry((name, value) -> {
                String id = text(value, "secret");
                if (source(oldSecrets, id) != null) {
                    secretEnv.add(name);
                    owned.add(id);
                }
            });
            env.remove(secretEnv);
        }
        if (object(app, "container") != null && object(app, "container").get("volumes") instanceof ArrayNode old) {
            for (int i = old.size() - 1; i >= 0; i--) {
                String id = text(old.get(i), "secret");
                if (source(oldSecrets, id) != null) {
                    old.remove(i);
                    owned.add(id);
                }
            }
        }
        ObjectNode kept = Json.MAPPER.createObjectNode();
        Map<String, String> idOfSource = new LinkedHashMap<>();
        if (oldSecrets != null) {
            oldSecrets.forEachEntry((id, def) -> {
                if (!owned.contains(id)) {
                    kept.set(id, def);
                }
                String source = text(def, "source");
                if (source != null) {
                    idOfSource.putIfAbsent(source, id);
                }
            });
        }
        app.remove("secrets");
        return new Detached(refs, kept, idOfSource);
    }

    /** The references to put back, with the secrets kept and the ids each source had. */
    record Detached(List<SecretRef> refs, ObjectNode kept, Map<String, String> idOfSource) {
        void attach(ObjectNode app) {
            ObjectNode secrets = kept.deepCopy();
            Set<String> taken = new HashSet<>(idOfSource.values());
            secrets.forEachEntry((id, def) -> taken.add(id));
            Map<String, String> ids = new LinkedHashMap<>(idOfSource);
            ObjectNode env = object(app, "env") instanceof ObjectNode e ? e : app.putObject("env");
            for (SecretRef ref : refs) {
                String id = ids.computeIfAbsent(ref.source(), s -> freeId(taken));
                taken.add(id);
                secrets.putObject(id).put("source", ref.source());
                if (ref.givesEnv()) {
                    env.putObject(ref.env()).put("secret", id);
                } else {
                    volumes(app).addObject().put("containerPath", ref.path()).put("secret", id);
                }
            }
            if (!secrets.isEmpty()) {
                app.set("secrets", secrets);
            }
        }
    }

    /** {@code secret0}, {@code secret1}...: the first id not taken. */
    private static String freeId(Set<String> taken) {
        for (int n = 0; ; n++) {
            String id = "secret" + n;
            if (!taken.contains(id)) {
                return id;
            }
        }
    }

    /** The container's volumes, a container ({@code MESOS}, as a command app's) made when there is none. */
    private static ArrayNode volumes(ObjectNode app) {
        ObjectNode container = object(app, "container") instanceof ObjectNode c ? c
                : app.putObject("container").put("type", "MESOS");
        return container.get("volumes") instanceof ArrayNode v ? v : container.putArray("volumes");
    }

    private static void check(List<SecretRef> refs, Map<String, String> plainEnv) {
        Set<String> envNames = new HashSet<>();
        for (int i = 0; i < refs.size(); i++) {
            SecretRef ref = refs.get(i);
            String field = "spec.secrets[" + i + "]";
            if (ref.source() == null || ref.source().isBlank()) {
                throw InvalidSpecException.of(field + ".source", "is required");
            }
            if (ref.kind() == ConfigKind.CONFIG) {
                throw InvalidSpecException.of(field + ".kind", "Marathon has no config objects, only DC/OS secrets");
            }
            if (ref.key() != null) {
                throw InvalidSpecException.of(field + ".key", "a DC/OS secret holds one value: leave key empty");
            }
            if (ref.mode() != null) {
                throw InvalidSpecException.of(field + ".mode", "Marathon sets no mode on secret files");
            }
            if (ref.givesEnv() == (ref.path() != null)) {
                throw InvalidSpecException.of(field, "needs either env or path");
            }
            if (ref.givesEnv() && plainEnv.containsKey(ref.env())) {
                throw InvalidSpecException.of(field + ".env", "'" + ref.env() + "' is also set in spec.env");
            }
            if (ref.givesEnv() && !envNames.add(ref.env())) {
                throw InvalidSpecException.of(field + ".env", "'" + ref.env() + "' is set by another secret");
            }
            if (!ref.givesEnv() && ref.path().isBlank()) {
                throw InvalidSpecException.of(field + ".path", "is blank");
            }
        }
    }
}
