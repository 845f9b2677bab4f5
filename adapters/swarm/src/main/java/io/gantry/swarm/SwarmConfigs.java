package io.gantry.swarm;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.InvalidSpecException.FieldError;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.config.ConfigDefinition;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.ConfigObject;
import io.gantry.spi.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gantry's secrets and configs as Swarm secrets and configs. A Swarm object holds one value and never changes, so:
 * <ul>
 *   <li>A Gantry object with one key is one Swarm object named {@code <name>}; with several keys, one per key named
 *       {@code <name>.<key>}; in a stack the name is prefixed {@code <stack>_} and labelled
 *       {@code com.docker.stack.namespace}, as {@code docker stack deploy} does.</li>
 *   <li>Every object Gantry creates carries {@code io.gantry.config=<name>}, {@code io.gantry.config.key=<key>} and
 *       {@code io.gantry.config.version=<N>}; the labels, not the names, say what an object is.</li>
 *   <li>Rotation creates version N+1 ({@code <name>-v<N+1>}, per key), points every service that used version N at
 *       it (same target file, uid, gid, mode: what {@code docker secret} users do by hand), then removes version N,
 *       retrying briefly while Swarm still refuses, and leaving it (logged) when it keeps refusing.</li>
 *   <li>The logical object's nativeId ({@code secret/<stack>/<name>}) stays the same across rotations.</li>
 *   <li>An object Gantry did not make is one object with the one key {@code value}.</li>
 * </ul>
 * Values go to dockerd base64-encoded in a request body and nowhere else: not into messages, logs or results.
 */
final class SwarmConfigs {
    private static final Logger LOG = LoggerFactory.getLogger(SwarmConfigs.class);
    // swarmkit's validateConfigOrSecretAnnotations: at most 64 characters of these
    private static final Pattern SWARM_NAME = Pattern.compile("^[a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$");
    private static final int MAX_SWARM_NAME = 64;
    private static final Pattern KEY = Pattern.compile("^[a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$");
    private static final int REMOVE_ATTEMPTS = 10;
    private static final long REMOVE_PAUSE_MILLIS = 500;
    private static final int UPDATE_ATTEMPTS = 3;

    private final String engineName;
    private final DockerApi api;
    private final SwarmSettings settings;

    SwarmConfigs(String engineName, DockerApi api, SwarmSettings settings) {
        this.engineName = engineName;
        this.api = api;
        this.settings = settings;
    }

    SwarmConfigIndex index() {
        return SwarmConfigIndex.read(api);
    }

    /** The engine's secrets and configs when one of these ServiceSpecs references any; asked only then (two calls). */
    SwarmConfigIndex indexFor(JsonNode... specs) {
        for (JsonNode spec : specs) {
            JsonNode container = spec.path("TaskTemplate").path("ContainerSpec");
            if (!container.path("Secrets").isEmpty() || !container.path("Configs").isEmpty()) {
                return index();
            }
        }
        return SwarmConfigIndex.EMPTY;
    }

    /** {@code spec}'s references as the ServiceSpec's secret and config entries, resolved to their current versions. */
    void writeReferences(ObjectNode serviceSpec, WorkloadSpec spec) {
        ObjectNode task = serviceSpec.path("TaskTemplate") instanceof ObjectNode t ? t : serviceSpec.putObject("TaskTemplate");
        ObjectNode container = task.path("ContainerSpec") instanceof ObjectNode c ? c : task.putObject("ContainerSpec");
        String namespace = Json.text(serviceSpec.path("Labels"), SwarmServiceReader.STACK_NAMESPACE_LABEL, "");
        SwarmSecretRefs.write(container, spec.secrets(), namespace, spec.secrets().isEmpty() ? SwarmConfigIndex.EMPTY : index());
    }

    List<ConfigObject> list() {
        return index().groups().stream().filter(g -> settings.shows(g.namespace()))
                .map(SwarmConfigIndex.Group::object).toList();
    }

    ConfigObject create(ConfigDefinition definition) {
        check(definition);
        SwarmConfigIndex index = index();
        if (index.group(definition.kind(), definition.namespace(), definition.name()) != null) {
            throw new EngineConflictException("a " + SwarmSecretRefs.kindName(definition.kind()) + " named '"
                    + definition.name() + "' exists" + stackText(definition.namespace()));
        }
        createVersion(definition.kind(), definition.namespace(), definition.name(), 1, definition.data());
        LOG.info("Swarm engine {}: created {} {} with keys {}", engineName, SwarmSecretRefs.kindName(definition.kind()),
                definition.name(), definition.data().keySet());
        return require(index(), SwarmConfigIndex.nativeId(definition.kind(), definition.namespace(), definition.name())).object();
    }

    ConfigObject rotate(String nativeId, Map<String, String> data) {
        SwarmConfigIndex.Group group = require(index(), nativeId);
        ConfigDefinition next = new ConfigDefinition(group.namespace(), group.name(), group.kind(), data);
        check(next);
        // every older version, not only the current one: one a previous rotation could not remove may still be used
        List<SwarmConfigIndex.Part> old = group.parts();
        List<JsonNode> users = usersOf(group.kind(), ids(old));
        checkKeptKeysInUse(users, group.kind(), old, next.data().keySet());
        int version = group.version() + 1;
        Map<String, SwarmConfigIndex.Part> created = createVersion(group.kind(), group.namespace(), group.name(), version, next.data());
        for (JsonNode service : users) {
            repoint(SwarmServiceReader.serviceId(service), group.kind(), old, created);
        }
        for (SwarmConfigIndex.Part part : group.parts()) {
            removeWhenFree(part);
        }
        LOG.info("Swarm engine {}: rotated {} {} to version {}, {} service(s) updated", engineName,
                SwarmSecretRefs.kindName(group.kind()), group.name(), version, users.size());
        return require(index(), nativeId).object();
    }

    Map<String, String> read(String nativeId) {
        SwarmConfigIndex.Group group = require(index(), nativeId);
        if (group.kind() != ConfigKind.CONFIG) {
            throw new UnsupportedCapabilityException(Capability.SECRETS, "a secret's values are never read back");
        }
        Map<String, String> out = new LinkedHashMap<>();
        group.current().forEach((key, part) -> {
            JsonNode config = api.getWorkloadObject("/configs/" + DockerApi.encode(part.id()), nativeId);
            String data = Json.text(config.path("Spec"), "Data", "");
            out.put(key, new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8));
        });
        return out;
    }

    void delete(String nativeId) {
        SwarmConfigIndex.Group group = require(index(), nativeId);
        Set<String> ids = group.parts().stream().map(SwarmConfigIndex.Part::id).collect(Collectors.toSet());
        List<JsonNode> users = usersOf(group.kind(), ids);
        if (!users.isEmpty()) {
            throw inUse(group, users);
        }
        for (SwarmConfigIndex.Part part : group.parts()) {
            try {
                api.delete(objectPath(part), nativeId);
            } catch (InvalidSpecException e) {
                // a service took it between the check and the delete: swarmkit says "is in use by ..."
                throw new EngineConflictException(e.getMessage(), e);
            }
        }
        LOG.info("Swarm engine {}: removed {} {}", engineName, SwarmSecretRefs.kindName(group.kind()), group.name());
    }

    private Map<String, SwarmConfigIndex.Part> createVersion(ConfigKind kind, String namespace, String name, int version,
                                                            Map<String, String> data) {
        Map<String, SwarmConfigIndex.Part> created = new LinkedHashMap<>();
        String base = SwarmServiceWriter.serviceName(namespace, name) + (version > 1 ? "-v" + version : "");
        try {
            for (Map.Entry<String, String> entry : data.entrySet()) {
                String swarmName = data.size() == 1 ? base : base + "." + entry.getKey();
                ObjectNode spec = Json.MAPPER.createObjectNode().put("Name", swarmName);
                ObjectNode labels = spec.putObject("Labels");
                labels.put(SwarmConfigIndex.CONFIG_LABEL, name).put(SwarmConfigIndex.KEY_LABEL, entry.getKey())
                        .put(SwarmConfigIndex.VERSION_LABEL, Integer.toString(version));
                if (!namespace.isEmpty()) {
                    labels.put(SwarmServiceReader.STACK_NAMESPACE_LABEL, namespace);
                }
                spec.put("Data", Base64.getEncoder().encodeToString(entry.getValue().getBytes(StandardCharsets.UTF_8)));
                JsonNode answer = api.post("/" + SwarmSecretRefs.kindName(kind) + "s/create", spec, null);
                created.put(entry.getKey(), new SwarmConfigIndex.Part(Json.text(answer, "ID"), swarmName, kind, namespace,
                        name, entry.getKey(), version, null));
            }
        } catch (EngineException e) {
            // all keys or none: a half-made version would be listed as the current one
            created.values().forEach(part -> removeQuietly(part));
            throw e;
        }
        return created;
    }

    /** Points one service at the new version, at the Version.Index just read; retried when the service moved on. */
    private void repoint(String serviceId, ConfigKind kind, List<SwarmConfigIndex.Part> old,
                         Map<String, SwarmConfigIndex.Part> created) {
        for (int attempt = 1; ; attempt++) {
            JsonNode service = api.getWorkloadObject("/services/" + DockerApi.encode(serviceId), serviceId);
            ObjectNode spec = (ObjectNode) service.path("Spec").deepCopy();
            if (!(spec.path("TaskTemplate").path("ContainerSpec") instanceof ObjectNode container)
                    || !SwarmSecretRefs.repoint(container, kind, old, created)) {
                return;
            }
            try {
                api.post("/services/" + DockerApi.encode(serviceId) + "/update?version="
                        + SwarmServiceReader.versionIndex(service), spec, serviceId);
                LOG.info("Swarm engine {}: service {} now uses the new version", engineName, serviceId);
                return;
            } catch (EngineConflictException e) {
                if (attempt >= UPDATE_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** Swarm refuses to remove an object a service still references; the update just made may still be settling. */
    private void removeWhenFree(SwarmConfigIndex.Part part) {
        for (int attempt = 1; attempt <= REMOVE_ATTEMPTS; attempt++) {
            try {
                api.delete(objectPath(part), part.id());
                return;
            } catch (InvalidSpecException | EngineConflictException e) {
                sleep(REMOVE_PAUSE_MILLIS);
            } catch (io.gantry.spi.WorkloadNotFoundException e) {
                return;
            }
        }
        LOG.warn("Swarm engine {}: the old version {} of {} is still in use and was left in place", engineName,
                part.swarmName(), part.name());
    }

    private void removeQuietly(SwarmConfigIndex.Part part) {
        try {
            api.delete(objectPath(part), part.id());
        } catch (EngineException e) {
            LOG.warn("Swarm engine {}: could not remove {} after a failed create: {}", engineName, part.swarmName(),
                    e.getMessage());
        }
    }

    /** Services (all of them: a service outside the shown stacks breaks as well) whose tasks reference one of {@code ids}. */
    private List<JsonNode> usersOf(ConfigKind kind, Set<String> ids) {
        List<JsonNode> users = new ArrayList<>();
        for (JsonNode service : api.get("/services")) {
            if (SwarmSecretRefs.uses(service.path("Spec").path("TaskTemplate").path("ContainerSpec"), kind, ids)) {
                users.add(service);
            }
        }
        return users;
    }

    /** A rotation may drop a key only when no service reads it: their tasks would lose the file. */
    private static void checkKeptKeysInUse(List<JsonNode> users, ConfigKind kind, List<SwarmConfigIndex.Part> old,
                                           Set<String> newKeys) {
        List<FieldError> errors = new ArrayList<>();
        old.forEach(part -> {
            String key = part.key();
            if (!newKeys.contains(key) && errors.stream().noneMatch(e -> e.message().startsWith("key '" + key + "' "))) {
                List<String> readers = users.stream()
                        .filter(s -> SwarmSecretRefs.uses(s.path("Spec").path("TaskTemplate").path("ContainerSpec"), kind, Set.of(part.id())))
                        .map(SwarmConfigs::serviceName).toList();
                if (!readers.isEmpty()) {
                    errors.add(new FieldError("data", "key '" + key + "' is used by service(s) " + readers));
                }
            }
        });
        if (!errors.isEmpty()) {
            throw new InvalidSpecException("data: " + errors.get(0).message(), errors);
        }
    }

    private static EngineConflictException inUse(SwarmConfigIndex.Group group, List<JsonNode> users) {
        return new EngineConflictException(SwarmSecretRefs.kindName(group.kind()) + " '" + group.name()
                + "' is in use by service(s) " + users.stream().map(SwarmConfigs::serviceName).sorted().toList());
    }

    private static String serviceName(JsonNode service) {
        return Json.text(service.path("Spec"), "Name", SwarmServiceReader.serviceId(service));
    }

    private SwarmConfigIndex.Group require(SwarmConfigIndex index, String nativeId) {
        SwarmConfigIndex.Group group = nativeId == null ? null : index.group(nativeId);
        if (group == null || !settings.shows(group.namespace())) {
            throw new WorkloadNotFoundException(String.valueOf(nativeId));
        }
        return group;
    }

    private void check(ConfigDefinition definition) {
        List<FieldError> errors = new ArrayList<>();
        if (definition.kind() == null) {
            errors.add(new FieldError("kind", "is required"));
        }
        if (!settings.shows(definition.namespace())) {
            errors.add(new FieldError("namespace", "'" + definition.namespace() + "' is not among this engine's stacks "
                    + settings.namespaces()));
        }
        String name = definition.name();
        if (name == null || !SWARM_NAME.matcher(name).matches()) {
            errors.add(new FieldError("name", "must be letters, digits, '-', '_' and '.', starting and ending with a"
                    + " letter or digit"));
        } else {
            // room for "-vNNN" and the longest key, so that later rotations fit Swarm's limit too
            int longestKey = definition.data().keySet().stream().mapToInt(String::length).max().orElse(0);
            int length = SwarmServiceWriter.serviceName(definition.namespace(), name).length() + 5
                    + (definition.data().size() > 1 ? longestKey + 1 : 0);
            if (length > MAX_SWARM_NAME) {
                errors.add(new FieldError("name", "stack, name and keys together must leave Swarm names of at most "
                        + MAX_SWARM_NAME + " characters"));
            }
        }
        if (definition.data().isEmpty()) {
            errors.add(new FieldError("data", "needs at least one key"));
        }
        for (String key : new TreeSet<>(definition.data().keySet())) {
            if (!KEY.matcher(key).matches()) {
                errors.add(new FieldError("data." + key, "a key must be letters, digits, '-', '_' and '.', starting and"
                        + " ending with a letter or digit"));
            } else if (definition.data().get(key) == null || definition.data().get(key).isEmpty()) {
                errors.add(new FieldError("data." + key, "has no value (Swarm keeps no empty secret or config)"));
            } else if (definition.data().get(key).getBytes(StandardCharsets.UTF_8).length >= maxSize(definition.kind())) {
                errors.add(new FieldError("data." + key, "must be less than " + maxSize(definition.kind()) / 1024
                        + " KiB on Swarm"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors.get(0).field() + ": " + errors.get(0).message()
                    + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""), errors);
        }
    }

    /** swarmkit's limits: MaxSecretSize (api/validation) and MaxConfigSize (manager/controlapi/config.go). */
    private static int maxSize(ConfigKind kind) {
        return kind == ConfigKind.CONFIG ? 1000 * 1024 : 500 * 1024;
    }

    private static Set<String> ids(List<SwarmConfigIndex.Part> parts) {
        return parts.stream().map(SwarmConfigIndex.Part::id).collect(Collectors.toSet());
    }

    private static String objectPath(SwarmConfigIndex.Part part) {
        return "/" + SwarmSecretRefs.kindName(part.kind()) + "s/" + DockerApi.encode(part.id());
    }

    private static String stackText(String namespace) {
        return namespace.isEmpty() ? "" : " in stack '" + namespace + "'";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineConflictException("interrupted while waiting for Swarm to release an old version", e);
        }
    }
}
