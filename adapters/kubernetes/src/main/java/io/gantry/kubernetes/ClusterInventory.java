package io.gantry.kubernetes;

import io.gantry.spi.Workload;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1Service;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What Gantry knows of a cluster: workload objects, the ReplicaSets and Jobs between them and
 * their pods, the pods, and the Services Gantry created. Pods are found through
 * {@code ownerReferences} (pod -> ReplicaSet -> Deployment, pod -> Job -> CronJob), never through
 * label selectors, so overlapping selectors cannot steal pods. A full list fills it for one
 * {@code listWorkloads}; the watcher keeps one up to date. Not thread-safe: callers lock.
 */
final class ClusterInventory {
    /** Workload objects by native id. ReplicaSets owned by a Deployment and Jobs owned by a CronJob are not workloads. */
    private final Map<String, KubernetesObject> workloads = new HashMap<>();
    /** Every ReplicaSet and Job by {@code ns/Kind/name}, workloads or not. */
    private final Map<String, KubernetesObject> intermediates = new HashMap<>();
    /** Intermediates by the key of their controller. */
    private final Map<String, Set<String>> intermediatesByOwner = new HashMap<>();
    /** Pods by the key ({@code ns/Kind/name}) of their direct controller, then by name. */
    private final Map<String, Map<String, V1Pod>> podsByOwner = new HashMap<>();
    private final Map<String, String> podOwner = new HashMap<>();
    /** Gantry-created Services by the native id of the workload they publish. */
    private final Map<String, V1Service> services = new HashMap<>();
    /** What the workloads' {@code envFrom} expands to. */
    private final ConfigKeys keys;

    ClusterInventory() {
        this(ConfigKeys.UNKNOWN);
    }

    ClusterInventory(ConfigKeys keys) {
        this.keys = keys;
    }

    /** Adds or replaces an object; returns the workloads whose state it changes. */
    Set<WorkloadRef> put(KubernetesObject object) {
        Set<WorkloadRef> affected = new LinkedHashSet<>();
        if (object instanceof V1Pod pod) {
            String key = key(pod.getMetadata());
            String owner = ownerKey(pod.getMetadata());
            String previous = podOwner.put(key, owner);
            if (previous != null && !previous.equals(owner)) {
                removePod( previous, pod.getMetadata().getName());
                affected.addAll(workloadsOf(previous));
            }
            if (owner != null) {
                podsByOwner.computeIfAbsent(owner, k -> new HashMap<>()).put(pod.getMetadata().getName(), pod);
                affected.addAll(workloadsOf(owner));
            }
        } else if (object instanceof V1Service service) {
            String owner = serviceOwner(service);
            if (owner != null) {
                services.put(owner, service);
                WorkloadRef.parse(owner).ifPresent(affected::add);
            }
        } else if (object instanceof V1ReplicaSet || object instanceof V1Job) {
            WorkloadRef ref = KubernetesWorkloadMapper.refOf(object);
            String owner = ownerKey(object.getMetadata());
            intermediates.put(ref.nativeId(), object);
            if (owner != null) {
                intermediatesByOwner.computeIfAbsent(owner, k -> new HashSet<>()).add(ref.nativeId());
                workloads.remove(ref.nativeId());
                affected.addAll(workloadsOf(owner));
            } else {
                workloads.put(ref.nativeId(), object);
                affected.add(ref);
            }
        } else {
            WorkloadRef ref = KubernetesWorkloadMapper.refOf(object);
            if (ref != null) {
                workloads.put(ref.nativeId(), object);
                affected.add(ref);
            }
        }
        return affected;
    }

    /** Removes an object; returns the workloads whose state it changes (a removed workload included). */
    Set<WorkloadRef> remove(KubernetesObject object) {
        Set<WorkloadRef> affected = new LinkedHashSet<>();
        if (object instanceof V1Pod pod) {
            String owner = podOwner.remove(key(pod.getMetadata()));
            if (owner != null) {
                removePod( owner, pod.getMetadata().getName());
                affected.addAll(workloadsOf(owner));
            }
        } else if (object instanceof V1Service service) {
            String owner = serviceOwner(service);
            if (owner != null && services.remove(owner) != null) {
                WorkloadRef.parse(owner).ifPresent(affected::add);
            }
        } else {
            WorkloadRef ref = KubernetesWorkloadMapper.refOf(object);
            if (ref == null) {
                return affected;
            }
            if (object instanceof V1ReplicaSet || object instanceof V1Job) {
                intermediates.remove(ref.nativeId());
                String owner = ownerKey(object.getMetadata());
                if (owner != null) {
                    removeChild( owner, ref.nativeId());
                    affected.addAll(workloadsOf(owner));
                }
            }
            if (workloads.remove(ref.nativeId()) != null) {
                affected.add(ref);
            }
        }
        return affected;
    }

    /** Every object of one resource type in a namespace (all when null), for re-list diffs. */
    List<KubernetesObject> objects(ResourceType type, String namespace) {
        List<KubernetesObject> out = new ArrayList<>();
        switch (type) {
            case PODS -> podsByOwner.values().forEach(m -> out.addAll(m.values()));
            case SERVICES -> out.addAll(services.values());
            case REPLICASETS, JOBS -> intermediates.values().stream().filter(type.itemType()::isInstance).forEach(out::add);
            case EVENTS -> {
                return out;
            }
            default -> workloads.values().stream().filter(type.itemType()::isInstance).forEach(out::add);
        }
        out.removeIf(o -> namespace != null && !namespace.equals(o.getMetadata().getNamespace()));
        // pods without an owner are not kept, so they never need removing
        return out;
    }

    /** The Gantry-created Service publishing the workload, or {@code null}. */
    V1Service service(WorkloadRef ref) {
        return services.get(ref.nativeId());
    }

    KubernetesObject object(WorkloadRef ref) {
        return workloads.get(ref.nativeId());
    }

    Workload workload(WorkloadRef ref) {
        KubernetesObject object = workloads.get(ref.nativeId());
        if (object == null) {
            return null;
        }
        return KubernetesWorkloadReader.toWorkload(object, pods(ref), services.get(ref.nativeId()), keys);
    }

    List<Workload> workloads() {
        List<Workload> out = new ArrayList<>(workloads.size());
        for (String id : workloads.keySet()) {
            out.add(workload(WorkloadRef.parse(id).orElseThrow()));
        }
        return out;
    }

    List<WorkloadRef> refs() {
        return workloads.keySet().stream().map(id -> WorkloadRef.parse(id).orElseThrow()).toList();
    }

    /** Pods of a workload: its own, or those of the ReplicaSets / Jobs it controls. */
    List<V1Pod> pods(WorkloadRef ref) {
        List<V1Pod> out = new ArrayList<>(podsByOwner.getOrDefault(ref.nativeId(), Map.of()).values());
        for (String child : intermediatesByOwner.getOrDefault(ref.nativeId(), Set.of())) {
            out.addAll(podsByOwner.getOrDefault(child, Map.of()).values());
        }
        return out;
    }

    /** The ReplicaSets or Jobs the workload controls (its old ReplicaSets too: a Deployment's history). */
    List<KubernetesObject> children(WorkloadRef ref) {
        List<KubernetesObject> out = new ArrayList<>();
        for (String child : intermediatesByOwner.getOrDefault(ref.nativeId(), Set.of())) {
            KubernetesObject o = intermediates.get(child);
            if (o != null) {
                out.add(o);
            }
        }
        return out;
    }

    /** Names of the objects an event about this workload may be about: itself, its ReplicaSets/Jobs, its pods. */
    Set<String> involvedNames(WorkloadRef ref) {
        Set<String> names = new HashSet<>();
        names.add(ref.name());
        for (String child : intermediatesByOwner.getOrDefault(ref.nativeId(), Set.of())) {
            names.add(WorkloadRef.parse(child).orElseThrow().name());
        }
        pods(ref).forEach(p -> names.add(p.getMetadata().getName()));
        return names;
    }

    /** The workload an event is about, or {@code null} when it is about something else. */
    WorkloadRef workloadOf(CoreV1Event event) {
        V1ObjectReference about = event.getInvolvedObject();
        if (about == null || about.getKind() == null || about.getName() == null) {
            return null;
        }
        String namespace = about.getNamespace() != null ? about.getNamespace()
                : event.getMetadata() == null ? null : event.getMetadata().getNamespace();
        String key = namespace + "/" + about.getKind() + "/" + about.getName();
        if ("Pod".equals(about.getKind())) {
            String owner = podOwner.get(namespace + "/" + about.getName());
            return owner == null ? null : single(workloadsOf(owner));
        }
        return single(workloadsOf(key));
    }

    /** The workloads an owner key leads to: the owner itself, or the controller of a ReplicaSet/Job. */
    private Set<WorkloadRef> workloadsOf(String ownerKey) {
        if (workloads.containsKey(ownerKey)) {
            return Set.of(WorkloadRef.parse(ownerKey).orElseThrow());
        }
        KubernetesObject intermediate = intermediates.get(ownerKey);
        if (intermediate != null) {
            String owner = ownerKey(intermediate.getMetadata());
            if (owner != null && workloads.containsKey(owner)) {
                return Set.of(WorkloadRef.parse(owner).orElseThrow());
            }
        }
        return Set.of();
    }

    private static WorkloadRef single(Set<WorkloadRef> refs) {
        return refs.isEmpty() ? null : refs.iterator().next();
    }

    private static String serviceOwner(V1Service service) {
        V1ObjectMeta meta = service.getMetadata();
        String owner = meta.getLabels() == null ? null : meta.getLabels().get(KubernetesWorkloadMapper.OWNER_LABEL);
        if (owner == null || !owner.contains(".")) {
            return null;
        }
        String kind = owner.substring(0, owner.indexOf('.'));
        String name = owner.substring(owner.indexOf('.') + 1);
        return KubernetesWorkloadMapper.namespaceOf(meta) + "/" + kind + "/" + name;
    }

    private static String ownerKey(V1ObjectMeta meta) {
        V1OwnerReference owner = KubernetesWorkloadMapper.controllerOf(meta);
        return owner == null ? null : KubernetesWorkloadMapper.namespaceOf(meta) + "/" + owner.getKind() + "/" + owner.getName();
    }

    private static String key(V1ObjectMeta meta) {
        return KubernetesWorkloadMapper.namespaceOf(meta) + "/" + meta.getName();
    }

    private void removePod(String owner, String name) {
        Map<String, V1Pod> entries = podsByOwner.get(owner);
        if (entries != null) {
            entries.remove(name);
            if (entries.isEmpty()) {
                podsByOwner.remove(owner);
            }
        }
    }

    private void removeChild(String owner, String name) {
        Set<String> entries = intermediatesByOwner.get(owner);
        if (entries != null) {
            entries.remove(name);
            if (entries.isEmpty()) {
                intermediatesByOwner.remove(owner);
            }
        }
    }
}
