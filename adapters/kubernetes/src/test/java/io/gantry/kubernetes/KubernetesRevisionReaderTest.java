package io.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.gantry.spi.EngineRevision;
import io.gantry.spi.Workload;
import io.kubernetes.client.openapi.models.V1ControllerRevision;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine's own history read from real objects (testdata/fixtures/kubernetes), and the rollback patch. */
class KubernetesRevisionReaderTest {

    private static <T> T object(String file, Class<T> type) {
        return KubernetesJson.gson().fromJson(Fixtures.single(file), type);
    }

    @Test
    void aDeploymentsReplicaSetIsARevisionWithTheSpecTheDeploymentRuns() {
        V1Deployment d = object("real-cluster-objects/k9s_apps.v1.Deployment_icx-db.json", V1Deployment.class);
        V1ReplicaSet rs = object("real-cluster-objects/k9s_apps.v1.ReplicaSet.json", V1ReplicaSet.class);

        List<EngineRevision> revisions = KubernetesRevisionReader.ofDeployment(d, List.of(rs), null);

        assertThat(revisions).hasSize(1);
        EngineRevision r = revisions.get(0);
        assertThat(r.id()).isEqualTo("1");
        assertThat(r.createdAt()).isEqualTo(Instant.parse("2019-07-14T04:54:17Z"));
        assertThat(r.current()).as("the ReplicaSet's template is the Deployment's, hash label aside").isTrue();
        assertThat(r.message()).isEmpty();
        Workload running = KubernetesWorkloadReader.toWorkload(d, List.of(), null);
        assertThat(r.spec()).as("the same mapping as the workload's own").isEqualTo(running.spec());
        assertThat(r.spec().image()).isEqualTo("postgres:9.2-alpine");
        assertThat(r.spec().secrets()).contains(io.gantry.spi.config.SecretRef.env("icx-creds", "pg_pwd", "POSTGRES_PASSWORD"));
        assertThat(r.spec().env()).doesNotContainKey("POSTGRES_PASSWORD");
        assertThat(KubernetesRevisionReader.templateOf(rs).getMetadata().getLabels())
                .as("the controller's label is not part of the template a rollback writes back")
                .doesNotContainKey(KubernetesRevisionReader.POD_TEMPLATE_HASH).containsEntry("app", "icx-db");
    }

    @Test
    void aReplicaSetOfAnotherDeploymentOrWithoutANumberIsNoRevision() {
        V1Deployment d = object("real-cluster-objects/k9s_apps.v1.Deployment_icx-db.json", V1Deployment.class);
        V1ReplicaSet other = object("real-cluster-objects/k9s_apps.v1.ReplicaSet.json", V1ReplicaSet.class);
        other.getMetadata().getOwnerReferences().get(0).setName("someone-else");
        V1ReplicaSet unnumbered = object("real-cluster-objects/k9s_apps.v1.ReplicaSet.json", V1ReplicaSet.class);
        unnumbered.getMetadata().getAnnotations().remove(KubernetesRevisionReader.REVISION);

        assertThat(KubernetesRevisionReader.ofDeployment(d, List.of(other, unnumbered), null)).isEmpty();
    }

    @Test
    void aStatefulSetsControllerRevisionIsARevisionNamedByStatus() {
        V1StatefulSet s = object("real-cluster-objects/kubernetes_apps.v1.StatefulSet_test.json", V1StatefulSet.class);
        V1ControllerRevision cr = object("real-cluster-objects/kubernetes_apps.v1.ControllerRevision_test-776999688b.json",
                V1ControllerRevision.class);

        List<EngineRevision> revisions = KubernetesRevisionReader.ofControllerRevisions(s, List.of(cr), null);

        assertThat(revisions).hasSize(1);
        EngineRevision r = revisions.get(0);
        assertThat(r.id()).isEqualTo("test-776999688b");
        assertThat(r.createdAt()).isEqualTo(Instant.parse("2025-11-03T19:46:23Z"));
        assertThat(r.current()).as("status.updateRevision names it").isTrue();
        assertThat(r.spec()).isEqualTo(KubernetesWorkloadReader.toWorkload(s, List.of(), null).spec());
        assertThat(r.spec().image()).isEqualTo("test");
        assertThat(KubernetesJson.gson().toJsonTree(KubernetesRevisionReader.templateOf(cr)))
                .as("the data's template without the strategic-merge directive is the StatefulSet's template")
                .isEqualTo(KubernetesJson.gson().toJsonTree(s.getSpec().getTemplate()));
    }

    @Test
    void controllerRevisionsNewestFirstAndOnlyTheOwners() {
        V1StatefulSet s = object("real-cluster-objects/kubernetes_apps.v1.StatefulSet_test.json", V1StatefulSet.class);
        V1ControllerRevision current = object("real-cluster-objects/kubernetes_apps.v1.ControllerRevision_test-776999688b.json",
                V1ControllerRevision.class);
        V1ControllerRevision older = object("real-cluster-objects/kubernetes_apps.v1.ControllerRevision_test-776999688b.json",
                V1ControllerRevision.class);
        older.getMetadata().setName("test-older");
        older.setRevision(1L);
        V1ControllerRevision foreign = object("real-cluster-objects/kubernetes_apps.v1.ControllerRevision_test-776999688b.json",
                V1ControllerRevision.class);
        foreign.getMetadata().getOwnerReferences().get(0).setUid("another-uid");

        List<EngineRevision> revisions = KubernetesRevisionReader.ofControllerRevisions(s, List.of(older, foreign, current), null);

        assertThat(revisions).extracting(EngineRevision::id).containsExactly("test-776999688b", "test-older");
        assertThat(revisions).extracting(EngineRevision::current).containsExactly(true, false);
    }

    @Test
    void theRollbackPatchTurnsTheCurrentTemplateIntoTheKeptOne() {
        V1Deployment d = object("real-cluster-objects/k9s_apps.v1.Deployment_icx-db.json", V1Deployment.class);
        V1ReplicaSet rs = object("real-cluster-objects/k9s_apps.v1.ReplicaSet.json", V1ReplicaSet.class);
        // the Deployment has moved on since: another image and a restart annotation the old template lacks
        d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("postgres:16");
        d.getSpec().getTemplate().getMetadata().putAnnotationsItem(KubernetesWorkloadMapper.RESTARTED_AT, "2024-01-01T00:00:00Z");

        String patch = KubernetesWorkloadWriter.rollbackPatch(d, KubernetesRevisionReader.templateOf(rs), "rollback to revision 1");

        JsonElement before = KubernetesJson.gson().toJsonTree(d);
        JsonElement after = ApiServerFront.merge(before, JsonParser.parseString(patch));
        V1Deployment patched = KubernetesJson.gson().fromJson(after, V1Deployment.class);
        assertThat(KubernetesJson.gson().toJsonTree(patched.getSpec().getTemplate()))
                .as("RFC 7386 applied: the template is the ReplicaSet's, the restart annotation gone")
                .isEqualTo(KubernetesJson.gson().toJsonTree(KubernetesRevisionReader.templateOf(rs)));
        assertThat(patched.getMetadata().getAnnotations())
                .containsEntry(KubernetesRevisionReader.CHANGE_CAUSE, "rollback to revision 1");
        assertThat(JsonParser.parseString(patch).getAsJsonObject().getAsJsonObject("metadata").get("resourceVersion").getAsString())
                .isEqualTo(d.getMetadata().getResourceVersion());
    }
}
