package io.gantry.kubernetes;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineException;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.config.ConfigDefinition;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.ConfigObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secrets and ConfigMaps of one cluster: listed from the informers' cache (keys only), written through the API
 * server. A rotation restarts, as {@code kubectl rollout restart} does, the Deployments, StatefulSets and DaemonSets
 * that read the object only at start (env, envFrom, a subPath file); whole-object volumes are updated in place by
 * the kubelet and need nothing.
 *
 * <p>Values never leave this class but in the request that writes them: failures of those requests are reported
 * from the API server's Status message alone, without the {@link ApiException} (whose message carries the whole
 * answer) as a cause.
 */
final class KubernetesConfigs {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesConfigs.class);
    private static final int WRITE_ATTEMPTS = 5;
    /** Kinds whose pod templates may reference an object; the first three roll their pods on a template change. */
    private static final List<ResourceType> USERS = List.of(ResourceType.DEPLOYMENTS, ResourceType.STATEFULSETS,
            ResourceType.DAEMONSETS, ResourceType.CRONJOBS);

    private final String engineName;
    private final KubernetesSettings settings;
    private final KubernetesApi api;
    private final Supplier<ClusterCache> cache;
    private final Clock clock;

    KubernetesConfigs(String engineName, KubernetesSettings settings, KubernetesApi api, Supplier<ClusterCache> cache,
                      Clock clock) {
        this.engineName = engineName;
        this.settings = settings;
        this.api = api;
        this.cache = cache;
        this.clock = clock;
    }

    List<ConfigObject> list() {
        return cache.get().configs(settings.callTimeout()).stream()
                .filter(o -> !KubernetesConfigObjects.hidden(o))
                .map(KubernetesConfigObjects::toConfigObject)
                .sorted(Comparator.comparing(ConfigObject::nativeId))
                .toList();
    }

    ConfigObject create(ConfigDefinition definition) {
        if (definition.kind() == null) {
            throw InvalidSpecException.of("kind", "SECRET or CONFIG is required");
        }
        String namespace = definition.namespace().isEmpty() ? settings.defaultNamespace() : definition.namespace();
        KubernetesWorkloadWriter.validateNamespace(namespace);
        if (!settings.allows(namespace)) {
            throw InvalidSpecException.of("namespace", "'" + namespace + "' is not one of this engine's namespaces "
                    + settings.namespaces());
        }
        KubernetesObject object = KubernetesConfigObjects.toNative(definition, namespace);
        ConfigRef ref = KubernetesConfigObjects.refOf(object);
        KubernetesObject created;
        try {
            created = api.create(ref.type(), namespace, object);
        } catch (ApiException e) {
            if (e.getCode() == 409) {
                throw new EngineConflictException("a " + kindName(ref) + " named '" + ref.name()
                        + "' already exists in namespace '" + namespace + "'");
            }
            if (e.getCode() == 404) {
                throw InvalidSpecException.of("namespace", "namespace '" + namespace + "' does not exist");
            }
            throw failure(e, ref);
        } catch (RuntimeException e) {
            throw unexpected(e);
        }
        LOG.info("engine {}: created {} (keys {})", engineName, ref, definition.data().keySet());
        return KubernetesConfigObjects.toConfigObject(created);
    }

    ConfigObject rotate(String nativeId, Map<String, String> data) {
        ConfigRef ref = existing(nativeId);
        KubernetesObject rotated = null;
        for (int attempt = 1; rotated == null; attempt++) {
            KubernetesObject current = read(ref);
            String patch = KubernetesConfigObjects.dataPatch(ref.kind(), KubernetesConfigObjects.keysOf(current), data,
                    current.getMetadata().getResourceVersion());
            try {
                rotated = api.mergePatch(ref.type(), ref.namespace(), ref.name(), patch);
            } catch (ApiException e) {
                // a write raced ours (the patch carries the resourceVersion read): read again, as RetryOnConflict does
                if (e.getCode() != 409 || attempt == WRITE_ATTEMPTS) {
                    throw failure(e, ref);
                }
            } catch (RuntimeException e) {
                throw unexpected(e);
            }
        }
        List<WorkloadRef> restarted = new ArrayList<>();
        for (var user : users(ref).entrySet()) {
            WorkloadRef workload = user.getKey();
            if (user.getValue() == KubernetesSecretRefs.Use.AT_START && workload.kind() != NativeKind.CronJob) {
                String patch = KubernetesWorkloadWriter.restartPatch(clock.instant());
                KubernetesErrors.call(() -> api.mergePatch(ResourceType.of(workload.kind()), workload.namespace(),
                        workload.name(), patch), workload);
                restarted.add(workload);
            }
        }
        LOG.info("engine {}: rotated {} (keys {}); restarted {}", engineName, ref, data.keySet(), restarted);
        return KubernetesConfigObjects.toConfigObject(rotated);
    }

    /** A ConfigMap's data; binaryData is not text and is left out. */
    Map<String, String> readValues(String nativeId) {
        ConfigRef ref = existing(nativeId);
        if (ref.kind() == ConfigKind.SECRET) {
            throw new UnsupportedCapabilityException(Capability.SECRETS, "the values of a secret are never read back");
        }
        V1ConfigMap map = (V1ConfigMap) read(ref);
        return map.getData() == null ? Map.of() : new LinkedHashMap<>(map.getData());
    }

    /**
     * Kubernetes would delete an object still in use (its pods then fail to start or keep stale data): refused here
     * while a workload's template references it, naming them.
     */
    void delete(String nativeId) {
        ConfigRef ref = existing(nativeId);
        List<WorkloadRef> users = new ArrayList<>(users(ref).keySet());
        if (!users.isEmpty()) {
            throw new EngineConflictException(ref + " is used by " + users.stream().map(WorkloadRef::nativeId).toList());
        }
        try {
            api.delete(ref.type(), ref.namespace(), ref.name(), "Background");
        } catch (ApiException e) {
            throw failure(e, ref);
        } catch (RuntimeException e) {
            throw unexpected(e);
        }
        LOG.info("engine {}: deleted {}", engineName, ref);
    }

    /** The workloads whose pod template references the object, read from the API server (exact after a deploy). */
    Map<WorkloadRef, KubernetesSecretRefs.Use> users(ConfigRef ref) {
        Map<WorkloadRef, KubernetesSecretRefs.Use> users = new LinkedHashMap<>();
        for (ResourceType type : USERS) {
            List<? extends KubernetesObject> items;
            try {
                items = api.listAll(type, ref.namespace(), null).getItems();
            } catch (ApiException e) {
                // a kind the credentials may not list (or the server does not serve) has no users we can see
                KubernetesErrors.unreadable(e, type.rbacName(), ref.namespace());
                continue;
            } catch (RuntimeException e) {
                throw unexpected(e);
            }
            for (KubernetesObject o : items) {
                var template = KubernetesWorkloadMapper.templateOf(o);
                KubernetesSecretRefs.Use use = KubernetesSecretRefs.use(template == null ? null : template.getSpec(), ref);
                if (use != KubernetesSecretRefs.Use.NONE) {
                    users.put(KubernetesWorkloadMapper.refOf(o), use);
                }
            }
        }
        return users;
    }

    private KubernetesObject read(ConfigRef ref) {
        try {
            return api.get(ref.type(), ref.namespace(), ref.name());
        } catch (ApiException e) {
            throw failure(e, ref);
        } catch (RuntimeException e) {
            throw unexpected(e);
        }
    }

    private ConfigRef existing(String nativeId) {
        return ConfigRef.parse(nativeId).filter(r -> settings.allows(r.namespace()))
                .orElseThrow(() -> new WorkloadNotFoundException(nativeId));
    }

    private static String kindName(ConfigRef ref) {
        return ref.kind() == ConfigKind.SECRET ? ConfigRef.SECRET : ConfigRef.CONFIG_MAP;
    }

    /** The port's exception from the Status message only: the ApiException (the whole answer) is not kept as cause. */
    private static EngineException failure(ApiException e, ConfigRef ref) {
        if (e.getCode() == 404) {
            return new WorkloadNotFoundException(ref.nativeId());
        }
        if (e.getCode() == 0) {
            return new EngineUnavailableException("the API server did not answer about " + ref);
        }
        EngineException mapped = KubernetesErrors.toException(e, null);
        if (mapped instanceof EngineConflictException) {
            return new EngineConflictException(mapped.getMessage());
        }
        if (mapped instanceof EngineUnavailableException) {
            return new EngineUnavailableException(mapped.getMessage());
        }
        return mapped;
    }

    private static EngineException unexpected(RuntimeException e) {
        if (e instanceof EngineException engine) {
            return engine;
        }
        return new EngineUnavailableException("unexpected answer from the API server (" + e.getClass().getSimpleName() + ")");
    }
}
