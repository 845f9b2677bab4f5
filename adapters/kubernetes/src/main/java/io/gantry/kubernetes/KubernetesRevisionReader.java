package io.gantry.kubernetes;

import static io.gantry.kubernetes.KubernetesWorkloadMapper.controllerOf;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.instant;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.nullSafe;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.gantry.spi.EngineRevision;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ControllerRevision;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the history Kubernetes keeps of a workload into {@link EngineRevision}s (engine -> model): a Deployment's
 * ReplicaSets numbered by {@value #REVISION}, a StatefulSet's or DaemonSet's ControllerRevisions. Each revision's
 * spec is its pod template read as {@link KubernetesWorkloadReader} reads the workload's own, with the workload's
 * replica count and Service (neither is part of a template), so a revision equal to what runs now has the same spec.
 */
final class KubernetesRevisionReader {
    /** The deployment controller's number on each ReplicaSet, and on the Deployment the number of the one it runs. */
    static final String REVISION = "deployment.kubernetes.io/revision";
    /** Why a change was made ({@code kubectl --record}, {@code kubectl annotate}); copied by the controller to the ReplicaSet. */
    static final String CHANGE_CAUSE = "kubernetes.io/change-cause";
    /** The label the deployment controller adds to its ReplicaSet's template, selector and pods; never in the Deployment's. */
    static final String POD_TEMPLATE_HASH = "pod-template-hash";
    /** In a ControllerRevision's data: the strategic-merge directive that the template replaces the object's whole. */
    private static final String PATCH_DIRECTIVE = "$patch";

    private KubernetesRevisionReader() {
    }

    /**
     * The Deployment's revisions, newest first: each ReplicaSet it controls that carries a revision number. The
     * current one is the ReplicaSet whose template is the Deployment's (the controller's own test, hash label
     * aside); while the controller has not made that one yet, the one the Deployment's {@value #REVISION} names.
     */
    static List<EngineRevision> ofDeployment(V1Deployment deployment, List<? extends KubernetesObject> children,
                                             V1Service service) {
        Integer replicas = KubernetesStatusRules.observe(deployment).replicas();
        JsonElement running = json(deployment.getSpec() == null ? null : deployment.getSpec().getTemplate());
        String named = nullSafe(deployment.getMetadata().getAnnotations()).get(REVISION);
        List<Numbered<V1ReplicaSet>> owned = new ArrayList<>();
        for (KubernetesObject child : children) {
            Long number = child instanceof V1ReplicaSet rs && controlledBy(rs.getMetadata(), deployment)
                    ? number(nullSafe(rs.getMetadata().getAnnotations()).get(REVISION)) : null;
            if (number != null) {
                owned.add(new Numbered<>(number, (V1ReplicaSet) child));
            }
        }
        Long current = owned.stream().filter(n -> json(templateOf(n.object())).equals(running)).map(Numbered::number)
                .findFirst().orElse(number(named));
        owned.sort(Comparator.comparing((Numbered<V1ReplicaSet> n) -> n.number()).reversed());
        List<EngineRevision> out = new ArrayList<>();
        for (Numbered<V1ReplicaSet> n : owned) {
            V1ObjectMeta meta = n.object().getMetadata();
            out.add(new EngineRevision(Long.toString(n.number()), instant(meta.getCreationTimestamp()),
                    KubernetesWorkloadReader.specOf(templateOf(n.object()), replicas, service),
                    nullSafe(meta.getAnnotations()).get(CHANGE_CAUSE), Objects.equals(n.number(), current)));
        }
        return out;
    }

    /**
     * A StatefulSet's or DaemonSet's revisions, newest first by {@code .revision}; {@link EngineRevision#id} is the
     * ControllerRevision's name (what {@code status.updateRevision} names and a rollback looks up). The current one is
     * the one {@code status.updateRevision} (else {@code currentRevision}) names; a DaemonSet's status names none, so
     * there it is the one whose template is the DaemonSet's.
     */
    static List<EngineRevision> ofControllerRevisions(KubernetesObject owner, List<V1ControllerRevision> revisions,
                                                      V1Service service) {
        Integer replicas = KubernetesStatusRules.observe(owner).replicas();
        String named = null;
        if (owner instanceof V1StatefulSet s && s.getStatus() != null) {
            named = s.getStatus().getUpdateRevision() != null ? s.getStatus().getUpdateRevision()
                    : s.getStatus().getCurrentRevision();
        }
        JsonElement running = json(KubernetesWorkloadMapper.templateOf(owner));
        List<V1ControllerRevision> owned = new ArrayList<>(revisions.stream()
                .filter(r -> r.getMetadata() != null && controlledBy(r.getMetadata(), owner)).toList());
        owned.sort(Comparator.comparing((V1ControllerRevision r) -> r.getRevision() == null ? 0L : r.getRevision()).reversed());
        List<EngineRevision> out = new ArrayList<>();
        for (V1ControllerRevision r : owned) {
            V1ObjectMeta meta = r.getMetadata();
            V1PodTemplateSpec template = templateOf(r);
            boolean current = named != null ? named.equals(meta.getName()) : json(template).equals(running);
            out.add(new EngineRevision(meta.getName(), instant(meta.getCreationTimestamp()),
                    KubernetesWorkloadReader.specOf(template, replicas, service),
                    nullSafe(meta.getAnnotations()).get(CHANGE_CAUSE), current));
        }
        return out;
    }

    /** The template of the Deployment's ReplicaSet numbered {@code id}, or {@code null} when it keeps none of that number. */
    static V1PodTemplateSpec replicaSetTemplate(V1Deployment deployment, List<? extends KubernetesObject> children, String id) {
        Long wanted = number(id);
        for (KubernetesObject child : children) {
            if (wanted != null && child instanceof V1ReplicaSet rs && controlledBy(rs.getMetadata(), deployment)
                    && wanted.equals(number(nullSafe(rs.getMetadata().getAnnotations()).get(REVISION)))) {
                return templateOf(rs);
            }
        }
        return null;
    }

    /** The template of the owner's ControllerRevision named {@code id}, or {@code null} when there is none of that name. */
    static V1PodTemplateSpec controllerRevisionTemplate(KubernetesObject owner, List<V1ControllerRevision> revisions, String id) {
        for (V1ControllerRevision r : revisions) {
            if (r.getMetadata() != null && id.equals(r.getMetadata().getName()) && controlledBy(r.getMetadata(), owner)) {
                return templateOf(r);
            }
        }
        return null;
    }

    /** The ReplicaSet's pod template as the Deployment had it: without the controller's {@value #POD_TEMPLATE_HASH} label. */
    static V1PodTemplateSpec templateOf(V1ReplicaSet replicaSet) {
        V1PodTemplateSpec template = replicaSet.getSpec() == null ? null : replicaSet.getSpec().getTemplate();
        if (template == null) {
            return null;
        }
        V1PodTemplateSpec copy = KubernetesJson.gson().fromJson(KubernetesJson.gson().toJsonTree(template), V1PodTemplateSpec.class);
        if (copy.getMetadata() != null && copy.getMetadata().getLabels() != null) {
            Map<String, String> labels = new LinkedHashMap<>(copy.getMetadata().getLabels());
            labels.remove(POD_TEMPLATE_HASH);
            copy.getMetadata().setLabels(labels.isEmpty() ? null : labels);
        }
        return copy;
    }

    /**
     * The pod template a ControllerRevision holds: its {@code data} is the strategic-merge patch
     * {@code {"spec":{"template":{"$patch":"replace", ...}}}} that the StatefulSet and DaemonSet controllers write
     * (kubernetes pkg/controller/history); the directive is not part of the template. {@code null} when the data has no template.
     */
    static V1PodTemplateSpec templateOf(V1ControllerRevision revision) {
        JsonElement data = KubernetesJson.gson().toJsonTree(revision.getData());
        if (!(data instanceof JsonObject d) || !(d.get("spec") instanceof JsonObject spec)
                || !(spec.get("template") instanceof JsonObject template)) {
            return null;
        }
        JsonObject copy = template.deepCopy();
        copy.remove(PATCH_DIRECTIVE);
        return KubernetesJson.gson().fromJson(copy, V1PodTemplateSpec.class);
    }

    /** The revision number of one of the Deployment's ReplicaSets, or {@code null} when it has none. */
    static Long number(String annotation) {
        if (annotation == null) {
            return null;
        }
        try {
            return Long.parseLong(annotation.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Whether {@code owner} is the controller named in {@code meta} (by uid where both have one). */
    static boolean controlledBy(V1ObjectMeta meta, KubernetesObject owner) {
        V1OwnerReference ref = controllerOf(meta);
        V1ObjectMeta ownerMeta = owner.getMetadata();
        if (ref == null || !Objects.equals(ref.getName(), ownerMeta.getName()) || !kindOf(owner).equals(ref.getKind())) {
            return false;
        }
        return ref.getUid() == null || ownerMeta.getUid() == null || ref.getUid().equals(ownerMeta.getUid());
    }

    private static String kindOf(KubernetesObject owner) {
        return owner instanceof V1Deployment ? "Deployment" : owner instanceof V1StatefulSet ? "StatefulSet"
                : owner instanceof V1DaemonSet ? "DaemonSet" : "";
    }

    /** A template as a JSON tree, for the equality the controllers use (field by field, map order aside). */
    private static JsonElement json(V1PodTemplateSpec template) {
        return KubernetesJson.gson().toJsonTree(template);
    }

    private record Numbered<T>(long number, T object) {
    }
}
