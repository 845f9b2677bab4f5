package io.gantry.kubernetes;

import io.gantry.spi.EngineRevision;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1ControllerRevision;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The revisions Kubernetes keeps of a workload, for its history and for a rollback to one of them. */
final class KubernetesHistory {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesHistory.class);

    private final String engineName;
    private final KubernetesSettings settings;
    private final KubernetesApi api;
    private final Supplier<ClusterCache> cache;

    KubernetesHistory(String engineName, KubernetesSettings settings, KubernetesApi api, Supplier<ClusterCache> cache) {
        this.engineName = engineName;
        this.settings = settings;
        this.api = api;
        this.cache = cache;
    }

    /**
     * The history Kubernetes keeps ({@link KubernetesRevisionReader}): a Deployment's ReplicaSets, read from the
     * informers' cache; a StatefulSet's or DaemonSet's ControllerRevisions, which nothing watches, in one list call
     * (credentials that may not read them, or a server without them, leave the history empty). Other kinds keep none.
     */
    List<EngineRevision> revisions(WorkloadRef ref) {
        if (!keepsHistory(ref.kind())) {
            return List.of();
        }
        ClusterCache.Owned owned = cache.get().owned(ref, settings.callTimeout());
        if (owned == null) {
            return List.of();
        }
        if (owned.object() instanceof V1Deployment deployment) {
            return KubernetesRevisionReader.ofDeployment(deployment, owned.children(), owned.service());
        }
        return KubernetesRevisionReader.ofControllerRevisions(owned.object(), controllerRevisions(owned.object()),
                owned.service());
    }

    private static boolean keepsHistory(NativeKind kind) {
        return kind == NativeKind.Deployment || kind == NativeKind.StatefulSet || kind == NativeKind.DaemonSet;
    }

    /** The object's ControllerRevisions (those of others sharing its labels are filtered out by owner later); empty on 403/404. */
    private List<V1ControllerRevision> controllerRevisions(KubernetesObject owner) {
        try {
            return api.controllerRevisions(KubernetesWorkloadMapper.namespaceOf(owner.getMetadata()),
                    WorkloadLookup.equalitySelector(owner)).getItems();
        } catch (ApiException e) {
            if (e.getCode() == 403 || e.getCode() == 404) {
                LOG.debug("engine {}: no ControllerRevisions: {}", engineName,
                        KubernetesErrors.unreadable(e, "controllerrevisions.apps", owner.getMetadata().getNamespace()));
                return List.of();
            }
            throw KubernetesErrors.toException(e, null);
        } catch (RuntimeException e) {
            throw KubernetesErrors.unexpected(e);
        }
    }

    /** The pod template Kubernetes keeps as {@code engineRevision} of the workload, or {@code null} when it keeps none. */
    V1PodTemplateSpec keptTemplate(WorkloadRef ref, String engineRevision) {
        if (!keepsHistory(ref.kind())) {
            return null;
        }
        ClusterCache.Owned owned = cache.get().owned(ref, settings.callTimeout());
        if (owned == null) {
            // not in the cache (yet): the update reads the API server and says whether it exists
            return null;
        }
        if (owned.object() instanceof V1Deployment deployment) {
            return KubernetesRevisionReader.replicaSetTemplate(deployment, owned.children(), engineRevision);
        }
        return KubernetesRevisionReader.controllerRevisionTemplate(owned.object(), controllerRevisions(owned.object()), engineRevision);
    }
}
