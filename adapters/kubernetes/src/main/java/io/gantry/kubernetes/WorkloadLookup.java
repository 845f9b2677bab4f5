package io.gantry.kubernetes;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One workload's objects read straight from the API server: the object, its ReplicaSets or Jobs, its
 * pods and its Service. For the calls that must see a write at once (getWorkload after a deploy, logs,
 * events); full syncs read the informers' cache instead.
 */
final class WorkloadLookup {
    private static final Logger LOG = LoggerFactory.getLogger(WorkloadLookup.class);

    private final String engineName;
    private final KubernetesApi api;
    private final ConfigKeys keys;

    WorkloadLookup(String engineName, KubernetesApi api, ConfigKeys keys) {
        this.engineName = engineName;
        this.api = api;
        this.keys = keys;
    }

    /** Fills the inventory; a kind the credentials may not list, or the server does not serve, is skipped (ping reports it). */
    private void listInto(ClusterInventory inventory, ResourceType type, String namespace, String labelSelector) {
        try {
            api.listAll(type, namespace, labelSelector).getItems().forEach(inventory::put);
        } catch (ApiException e) {
            String why = KubernetesErrors.unreadable(e, type.rbacName(), namespace);
            LOG.debug("engine {}: skipped in the list: {}", engineName, why);
        } catch (RuntimeException e) {
            throw KubernetesErrors.unexpected(e);
        }
    }

    /** The workload object, its ReplicaSets or Jobs, its pods and its Service, read from the API server. */
    ClusterInventory inventoryOf(WorkloadRef ref) {
        KubernetesObject object = KubernetesErrors.call(() -> api.get(ResourceType.of(ref.kind()), ref.namespace(), ref.name()), ref);
        ClusterInventory inventory = new ClusterInventory(keys);
        inventory.put(object);
        String selector = equalitySelector(object);
        if (ref.kind() == NativeKind.Deployment) {
            listInto(inventory, ResourceType.REPLICASETS, ref.namespace(), selector);
        } else if (ref.kind() == NativeKind.CronJob) {
            listInto(inventory, ResourceType.JOBS, ref.namespace(), null);
        }
        listInto(inventory, ResourceType.PODS, ref.namespace(), selector);
        serviceOf(ref).ifPresent(inventory::put);
        return inventory;
    }

    /**
     * The selector's matchLabels as a query, to narrow pod lists; {@code null} (list all, then match by
     * owner) when it uses matchExpressions, which a label query cannot express exactly.
     */
    static String equalitySelector(KubernetesObject object) {
        V1LabelSelector selector = selectorOf(object);
        if (selector == null || selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty()
                || (selector.getMatchExpressions() != null && !selector.getMatchExpressions().isEmpty())) {
            return null;
        }
        return selector.getMatchLabels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }

    private static V1LabelSelector selectorOf(KubernetesObject o) {
        if (o instanceof V1Deployment d && d.getSpec() != null) {
            return d.getSpec().getSelector();
        } else if (o instanceof V1StatefulSet s && s.getSpec() != null) {
            return s.getSpec().getSelector();
        } else if (o instanceof V1DaemonSet d && d.getSpec() != null) {
            return d.getSpec().getSelector();
        } else if (o instanceof V1ReplicaSet r && r.getSpec() != null) {
            return r.getSpec().getSelector();
        }
        return null;
    }

    /** The published-ports Service Gantry created for the workload, if any (and readable). */
    Optional<V1Service> serviceOf(WorkloadRef ref) {
        try {
            V1Service service = api.get(ResourceType.SERVICES, ref.namespace(), ref.name());
            Map<String, String> labels = service.getMetadata().getLabels();
            boolean ours = labels != null
                    && KubernetesWorkloadWriter.ownerLabelValue(ref).equals(labels.get(KubernetesWorkloadMapper.OWNER_LABEL));
            return ours ? Optional.of(service) : Optional.empty();
        } catch (ApiException e) {
            if (e.getCode() == 404 || e.getCode() == 403) {
                return Optional.empty();
            }
            throw KubernetesErrors.toException(e, null);
        }
    }
}
