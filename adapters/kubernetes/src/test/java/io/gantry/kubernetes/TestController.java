package io.gantry.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What kube-controller-manager and the kubelet would do, reduced to what the tests need, run
 * against the mock (which runs no controllers). Every 100 ms it reconciles: a Deployment gets one
 * ReplicaSet per pod-template version, numbered in {@code deployment.kubernetes.io/revision} (a new template,
 * e.g. a restart annotation, replaces the old one's pods at once; the old ReplicaSet stays, scaled to 0, as
 * history; a template seen before takes its old ReplicaSet back under the next number) and the ReplicaSet its
 * pods; StatefulSets get {@code name-N} pods; DaemonSets one pod per node; both a ControllerRevision per template. Pods run and are ready at once, except a container whose image
 * contains {@code crash}: it waits in CrashLoopBackOff with restarts, and a Warning BackOff event
 * is recorded ({@code crash-first}: only the first pod of a set does). A Deployment with
 * {@code progressDeadlineSeconds} whose pods are not all ready that long after its ReplicaSet was made
 * gets {@code Progressing=False ProgressDeadlineExceeded}, as the deployment controller writes it.
 * Status counts and conditions are written through the status subresource.
 */
public final class TestController implements AutoCloseable {
    private static final String REVISION = "deployment.kubernetes.io/revision";
    private static final String CHANGE_CAUSE = "kubernetes.io/change-cause";
    private static final String POD_TEMPLATE_HASH = "pod-template-hash";
    public static final List<String> NODES = List.of("node-a", "node-b");
    private final KubernetesClient client;
    private final Thread thread;
    private final AtomicInteger podSeq = new AtomicInteger();
    /** When each ReplicaSet was first seen: the start of its progress deadline. */
    private final Map<String, Instant> rolloutStarts = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean running = true;
    /** The ControllerRevision last recorded for each StatefulSet/DaemonSet (by namespace, kind, name and uid). */
    private final Map<String, String> recorded = new java.util.concurrent.ConcurrentHashMap<>();

    TestController(KubernetesClient client) {
        this.client = client;
        for (String node : NODES) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(node)
                    .addToLabels("node-role.kubernetes.io/worker", "").addToLabels("zone", node.substring(5)).endMetadata()
                    .withNewSpec().endSpec()
                    .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .addNewAddress().withType("InternalIP").withAddress("10.0.0." + (NODES.indexOf(node) + 1)).endAddress()
                    .addToAllocatable("cpu", new Quantity("4")).addToAllocatable("memory", new Quantity("8Gi"))
                    .endStatus().build()).create();
        }
        thread = new Thread(this::run, "test-controller");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            try {
                reconcile();
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // objects deleted mid-reconcile, conflicts: the next round sees the new state
                if (!running) {
                    return;
                }
            }
        }
    }

    private void reconcile() {
        for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
            reconcileDeployment(d);
        }
        for (StatefulSet s : client.apps().statefulSets().inAnyNamespace().list().getItems()) {
            reconcileStatefulSet(s);
        }
        for (DaemonSet d : client.apps().daemonSets().inAnyNamespace().list().getItems()) {
            reconcileDaemonSet(d);
        }
        collectOrphans();
    }

    private void reconcileDeployment(Deployment d) {
        String ns = d.getMetadata().getNamespace();
        int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        String hash = hash(d.getSpec().getTemplate());
        String rsName = d.getMetadata().getName() + "-" + hash;
        List<ReplicaSet> owned = client.apps().replicaSets().inNamespace(ns).list().getItems().stream()
                .filter(rs -> ownedBy(rs, d)).toList();
        long newest = owned.stream().mapToLong(TestController::revision).max().orElse(0);
        String cause = annotations(d).get(CHANGE_CAUSE);
        ReplicaSet rs = owned.stream().filter(r -> r.getMetadata().getName().equals(rsName)).findFirst().orElse(null);
        if (rs == null) {
            PodTemplateSpec template = new PodTemplateSpecBuilder(d.getSpec().getTemplate()).editOrNewMetadata()
                    .addToLabels(POD_TEMPLATE_HASH, hash).endMetadata().build();
            Map<String, String> annotations = new HashMap<>(Map.of(REVISION, Long.toString(newest + 1)));
            if (cause != null) {
                annotations.put(CHANGE_CAUSE, cause);
            }
            rs = client.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder()
                    .withNewMetadata().withName(rsName).withNamespace(ns).withLabels(template.getMetadata().getLabels())
                    .withAnnotations(annotations).withOwnerReferences(owner(d)).endMetadata()
                    .withNewSpec().withReplicas(desired).withSelector(d.getSpec().getSelector())
                    .withTemplate(template).endSpec().build()).create();
            event(d, "Normal", "ScalingReplicaSet", "Scaled up replica set " + rsName + " to " + desired);
        } else if (revision(rs) < newest) {
            // the template of an old ReplicaSet again (a rollback): the controller takes that one back under the
            // next number, with the Deployment's change cause (deployment controller, SetNewReplicaSetAnnotations)
            rs.getMetadata().getAnnotations().put(REVISION, Long.toString(newest + 1));
            if (cause != null) {
                rs.getMetadata().getAnnotations().put(CHANGE_CAUSE, cause);
            }
            rs = client.apps().replicaSets().inNamespace(ns).resource(rs).update();
        }
        if (!Objects.equals(rs.getSpec().getReplicas(), desired)) {
            rs.getSpec().setReplicas(desired);
            rs = client.apps().replicaSets().inNamespace(ns).resource(rs).update();
            event(d, "Normal", "ScalingReplicaSet", "Scaled replica set " + rsName + " to " + desired);
        }
        retireOldReplicaSets(d, owned, rsName);
        String revision = Long.toString(revision(rs));
        if (!revision.equals(annotations(d).get(REVISION))) {
            // the Deployment names the revision it runs; the next round writes its status
            client.apps().deployments().inNamespace(ns).withName(d.getMetadata().getName())
                    .edit(x -> new DeploymentBuilder(x).editMetadata().addToAnnotations(REVISION, revision).endMetadata().build());
            return;
        }
        List<Pod> pods = ensurePods(rs, d.getSpec().getTemplate(), desired, i -> rsName + "-" + suffix());
        int ready = (int) pods.stream().filter(TestController::ready).count();
        DeploymentStatus status = new DeploymentStatusBuilder().withReplicas(pods.size()).withUpdatedReplicas(pods.size())
                .withReadyReplicas(ready).withAvailableReplicas(ready).withUnavailableReplicas(desired - ready)
                .withObservedGeneration(d.getMetadata().getGeneration())
                .withConditions(new DeploymentConditionBuilder().withType("Available")
                                .withStatus(ready >= desired ? "True" : "False")
                                .withReason(ready >= desired ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable")
                                .withMessage(ready >= desired ? "Deployment has minimum availability."
                                        : "Deployment does not have minimum availability.").build(),
                        progressing(d, ns + "/" + rsName, ready >= desired))
                .build();
        if (!Objects.equals(Serialization.asJson(d.getStatus()), Serialization.asJson(status))) {
            d.setStatus(status);
            client.apps().deployments().inNamespace(ns).resource(d).updateStatus();
        }
    }

    /**
     * Old ReplicaSets are kept scaled to 0, their pods gone, as the Deployment's history; beyond
     * {@code revisionHistoryLimit} (default 10) the oldest go.
     */
    private void retireOldReplicaSets(Deployment d, List<ReplicaSet> owned, String current) {
        String ns = d.getMetadata().getNamespace();
        List<ReplicaSet> old = owned.stream().filter(r -> !r.getMetadata().getName().equals(current))
                .sorted(java.util.Comparator.comparingLong(TestController::revision)).toList();
        int limit = d.getSpec().getRevisionHistoryLimit() == null ? 10 : d.getSpec().getRevisionHistoryLimit();
        for (int i = 0; i < old.size(); i++) {
            ReplicaSet r = old.get(i);
            if (i < old.size() - limit) {
                client.apps().replicaSets().inNamespace(ns).withName(r.getMetadata().getName()).delete();
                continue;
            }
            // once, when it is retired: a ReplicaSet at 0 gets no pods again (listing pods every round loads the mock)
            if (!Objects.equals(r.getSpec().getReplicas(), 0)) {
                ensurePods(r, r.getSpec().getTemplate(), 0, n -> "");
                r.getSpec().setReplicas(0);
                client.apps().replicaSets().inNamespace(ns).resource(r).update();
            }
        }
    }

    /**
     * What the StatefulSet and DaemonSet controllers keep of each template (pkg/controller/history): a
     * ControllerRevision named {@code <name>-<hash>}, labelled with the owner's selector, whose data is the
     * strategic-merge patch {@code {"spec":{"template":{"$patch":"replace",...}}}}. A template seen before gets the
     * next number again; beyond {@code revisionHistoryLimit} (default 10) the oldest go. Returns the current one's name.
     */
    private String recordRevision(HasMetadata owner, PodTemplateSpec template, Map<String, String> selector,
                                  Integer historyLimit) {
        String ns = owner.getMetadata().getNamespace();
        String hash = hash(template);
        String name = owner.getMetadata().getName() + "-" + hash;
        String key = ns + "/" + owner.getKind() + "/" + owner.getMetadata().getName() + "/" + owner.getMetadata().getUid();
        if (name.equals(recorded.get(key))) {
            // nothing changed since it was recorded: no list of ControllerRevisions every round
            return name;
        }
        List<ControllerRevision> owned = client.apps().controllerRevisions().inNamespace(ns).list().getItems().stream()
                .filter(r -> ownedBy(r, owner)).sorted(java.util.Comparator.comparingLong(ControllerRevision::getRevision))
                .toList();
        long newest = owned.isEmpty() ? 0 : owned.get(owned.size() - 1).getRevision();
        ControllerRevision mine = owned.stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst().orElse(null);
        if (mine == null) {
            Map<String, Object> data = new HashMap<>(Serialization.jsonMapper().convertValue(template, Map.class));
            data.put("$patch", "replace");
            Map<String, String> labels = new HashMap<>(selector);
            labels.put("controller.kubernetes.io/hash", hash);
            client.apps().controllerRevisions().inNamespace(ns).resource(new ControllerRevisionBuilder()
                    .withNewMetadata().withName(name).withNamespace(ns).withLabels(labels).withOwnerReferences(owner(owner))
                    .endMetadata().withRevision(newest + 1).withData(Map.of("spec", Map.of("template", data))).build()).create();
        } else if (mine.getRevision() < newest) {
            mine.setRevision(newest + 1);
            client.apps().controllerRevisions().inNamespace(ns).resource(mine).update();
        }
        recorded.put(key, name);
        int limit = historyLimit == null ? 10 : historyLimit;
        for (int i = 0; i < owned.size() - limit - 1; i++) {
            if (!owned.get(i).getMetadata().getName().equals(name)) {
                client.apps().controllerRevisions().inNamespace(ns).withName(owned.get(i).getMetadata().getName()).delete();
            }
        }
        return name;
    }

    private static long revision(ReplicaSet rs) {
        String value = annotations(rs).get(REVISION);
        return value == null ? 0 : Long.parseLong(value);
    }

    private static Map<String, String> annotations(HasMetadata o) {
        return o.getMetadata().getAnnotations() == null ? Map.of() : o.getMetadata().getAnnotations();
    }

    /** The deployment controller's Progressing condition: given up once the deadline passed without every pod ready. */
    private io.fabric8.kubernetes.api.model.apps.DeploymentCondition progressing(Deployment d, String rs, boolean allReady) {
        Instant start = rolloutStarts.computeIfAbsent(rs, k -> Instant.now());
        Integer deadline = d.getSpec().getProgressDeadlineSeconds();
        String name = rs.substring(rs.indexOf('/') + 1);
        if (!allReady && deadline != null && start.plusSeconds(deadline).isBefore(Instant.now())) {
            return new DeploymentConditionBuilder().withType("Progressing").withStatus("False")
                    .withReason("ProgressDeadlineExceeded")
                    .withMessage("ReplicaSet \"" + name + "\" has timed out progressing.").build();
        }
        return new DeploymentConditionBuilder().withType("Progressing").withStatus("True")
                .withReason("NewReplicaSetAvailable")
                .withMessage("ReplicaSet \"" + name + "\" has successfully progressed.").build();
    }

    private void reconcileStatefulSet(StatefulSet s) {
        int desired = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
        String revision = recordRevision(s, s.getSpec().getTemplate(), s.getSpec().getSelector().getMatchLabels(),
                s.getSpec().getRevisionHistoryLimit());
        List<Pod> pods = ensurePods(s, s.getSpec().getTemplate(), desired, i -> s.getMetadata().getName() + "-" + i);
        int ready = (int) pods.stream().filter(TestController::ready).count();
        var status = new StatefulSetStatusBuilder().withReplicas(pods.size()).withReadyReplicas(ready)
                .withAvailableReplicas(ready).withCurrentReplicas(pods.size()).withUpdatedReplicas(pods.size())
                .withCurrentRevision(revision).withUpdateRevision(revision)
                .withObservedGeneration(s.getMetadata().getGeneration()).build();
        if (!Objects.equals(Serialization.asJson(s.getStatus()), Serialization.asJson(status))) {
            s.setStatus(status);
            client.apps().statefulSets().inNamespace(s.getMetadata().getNamespace()).resource(s).updateStatus();
        }
    }

    private void reconcileDaemonSet(DaemonSet d) {
        recordRevision(d, d.getSpec().getTemplate(), d.getSpec().getSelector().getMatchLabels(),
                d.getSpec().getRevisionHistoryLimit());
        List<Pod> pods = ensurePods(d, d.getSpec().getTemplate(), NODES.size(),
                i -> d.getMetadata().getName() + "-" + suffix());
        int ready = (int) pods.stream().filter(TestController::ready).count();
        var status = new DaemonSetStatusBuilder().withDesiredNumberScheduled(NODES.size())
                .withCurrentNumberScheduled(pods.size()).withUpdatedNumberScheduled(pods.size()).withNumberReady(ready)
                .withNumberAvailable(ready).withNumberMisscheduled(0)
                .withObservedGeneration(d.getMetadata().getGeneration()).build();
        if (!Objects.equals(Serialization.asJson(d.getStatus()), Serialization.asJson(status))) {
            d.setStatus(status);
            client.apps().daemonSets().inNamespace(d.getMetadata().getNamespace()).resource(d).updateStatus();
        }
    }

    /** Pods owned by {@code owner} from the current template: stale-template pods go, missing ones come. */
    private List<Pod> ensurePods(HasMetadata owner, PodTemplateSpec template, int desired,
                                 java.util.function.IntFunction<String> name) {
        String ns = owner.getMetadata().getNamespace();
        String revision = hash(template);
        List<Pod> pods = new ArrayList<>();
        for (Pod p : client.pods().inNamespace(ns).list().getItems()) {
            if (!ownedBy(p, owner)) {
                continue;
            }
            boolean current = revision.equals(p.getMetadata().getLabels().get("controller-revision-hash"));
            if (!current || pods.size() >= desired) {
                client.pods().inNamespace(ns).withName(p.getMetadata().getName()).delete();
            } else {
                pods.add(p);
            }
        }
        for (int i = 0; pods.size() < desired; i++) {
            String podName = name.apply(i);
            if (pods.stream().anyMatch(p -> p.getMetadata().getName().equals(podName))) {
                continue;
            }
            pods.add(createPod(owner, template, podName, revision, pods.size()));
        }
        return pods;
    }

    private Pod createPod(HasMetadata owner, PodTemplateSpec template, String name, String revision, int index) {
        String ns = owner.getMetadata().getNamespace();
        var main = template.getSpec().getContainers().get(0);
        boolean crash = main.getImage() != null && main.getImage().contains("crash")
                && (!main.getImage().contains("crash-first") || index == 0);
        Map<String, String> labels = new HashMap<>(template.getMetadata() == null || template.getMetadata().getLabels() == null
                ? Map.of() : template.getMetadata().getLabels());
        labels.put("controller-revision-hash", revision);
        var statuses = template.getSpec().getContainers().stream().map(c -> {
            var cs = new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage()).withReady(!crash);
            if (crash) {
                return cs.withRestartCount(4).withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                        .withMessage("back-off 1m20s restarting failed container=" + c.getName()).endWaiting().endState()
                        .withNewLastState().withNewTerminated().withExitCode(1).withReason("Error").endTerminated()
                        .endLastState().build();
            }
            return cs.withRestartCount(0).withNewState().withNewRunning().withStartedAt(Instant.now().toString())
                    .endRunning().endState().build();
        }).toList();
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(labels)
                .withOwnerReferences(owner(owner)).endMetadata()
                .withSpec(template.getSpec()).editSpec().withNodeName(NODES.get(index % NODES.size())).endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.244.0." + (podSeq.incrementAndGet() % 250 + 2))
                .withStartTime(Instant.now().toString()).withContainerStatuses(statuses).endStatus().build();
        Pod created = client.pods().inNamespace(ns).resource(pod).create();
        if (crash) {
            event(created, "Warning", "BackOff", "Back-off restarting failed container " + main.getName());
        }
        return created;
    }

    /** Pods, ReplicaSets and ControllerRevisions whose owner is gone: the garbage collector's job. */
    private void collectOrphans() {
        for (ReplicaSet rs : client.apps().replicaSets().inAnyNamespace().list().getItems()) {
            OwnerReference o = rs.getMetadata().getOwnerReferences().isEmpty() ? null : rs.getMetadata().getOwnerReferences().get(0);
            if (o != null && client.apps().deployments().inNamespace(rs.getMetadata().getNamespace()).withName(o.getName()).get() == null) {
                client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).withName(rs.getMetadata().getName()).delete();
            }
        }
        for (ControllerRevision r : client.apps().controllerRevisions().inAnyNamespace().list().getItems()) {
            OwnerReference o = r.getMetadata().getOwnerReferences().isEmpty() ? null : r.getMetadata().getOwnerReferences().get(0);
            String ns = r.getMetadata().getNamespace();
            boolean exists = o == null || switch (o.getKind()) {
                case "StatefulSet" -> client.apps().statefulSets().inNamespace(ns).withName(o.getName()).get() != null;
                case "DaemonSet" -> client.apps().daemonSets().inNamespace(ns).withName(o.getName()).get() != null;
                default -> true;
            };
            if (!exists) {
                client.apps().controllerRevisions().inNamespace(ns).withName(r.getMetadata().getName()).delete();
            }
        }
        for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
            OwnerReference o = p.getMetadata().getOwnerReferences().isEmpty() ? null : p.getMetadata().getOwnerReferences().get(0);
            if (o == null) {
                continue;
            }
            String ns = p.getMetadata().getNamespace();
            boolean exists = switch (o.getKind()) {
                case "ReplicaSet" -> client.apps().replicaSets().inNamespace(ns).withName(o.getName()).get() != null;
                case "StatefulSet" -> client.apps().statefulSets().inNamespace(ns).withName(o.getName()).get() != null;
                case "DaemonSet" -> client.apps().daemonSets().inNamespace(ns).withName(o.getName()).get() != null;
                default -> true;
            };
            if (!exists) {
                client.pods().inNamespace(ns).withName(p.getMetadata().getName()).delete();
            }
        }
    }

    private void event(HasMetadata about, String type, String reason, String message) {
        String ns = about.getMetadata().getNamespace();
        client.v1().events().inNamespace(ns).resource(new EventBuilder().withNewMetadata()
                .withName(about.getMetadata().getName() + "." + Long.toHexString(System.nanoTime())).withNamespace(ns).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withKind(about.getKind()).withName(about.getMetadata().getName())
                        .withNamespace(ns).withApiVersion(about.getApiVersion()).build())
                .withType(type).withReason(reason).withMessage(message).withCount(1)
                .withFirstTimestamp(Instant.now().toString()).withLastTimestamp(Instant.now().toString()).build()).create();
    }

    private static boolean ready(Pod p) {
        return p.getStatus() != null && p.getStatus().getContainerStatuses().stream().allMatch(c -> Boolean.TRUE.equals(c.getReady()));
    }

    private static boolean ownedBy(HasMetadata child, HasMetadata owner) {
        return child.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> o.getKind().equals(owner.getKind()) && o.getName().equals(owner.getMetadata().getName()));
    }

    private static OwnerReference owner(HasMetadata owner) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).withController(true).build();
    }

    /** A template's hash, whatever the order of its fields (a template patched back to an old one is that one). */
    private static String hash(PodTemplateSpec template) {
        return Integer.toHexString(canonical(JsonParser.parseString(Serialization.asJson(template))).toString().hashCode());
    }

    private static JsonElement canonical(JsonElement e) {
        if (e instanceof JsonObject o) {
            JsonObject sorted = new JsonObject();
            o.keySet().stream().sorted().forEach(k -> sorted.add(k, canonical(o.get(k))));
            return sorted;
        }
        if (e instanceof JsonArray a) {
            JsonArray out = new JsonArray();
            a.forEach(x -> out.add(canonical(x)));
            return out;
        }
        return e;
    }

    private String suffix() {
        return Integer.toString(podSeq.incrementAndGet() + 36 * 36 * 36, 36);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
