package io.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The watcher's store: objects arrive in any order and pods still find their workload. */
class ClusterInventoryTest {
    private static final WorkloadRef WEB = new WorkloadRef("shop", NativeKind.Deployment, "web");

    @Test
    void podsBeforeTheirReplicaSetBeforeTheDeploymentStillJoin() {
        ClusterInventory inventory = new ClusterInventory();
        assertThat(inventory.put(pod("web-abc-1", "ReplicaSet", "web-abc"))).isEmpty();
        assertThat(inventory.put(replicaSet("web-abc", "web"))).isEmpty();
        assertThat(inventory.put(deployment())).containsExactly(WEB);
        assertThat(inventory.workload(WEB).instances()).extracting(i -> i.id()).containsExactly("web-abc-1");
        assertThat(inventory.put(pod("web-abc-2", "ReplicaSet", "web-abc"))).containsExactly(WEB);
        assertThat(inventory.workload(WEB).instances()).hasSize(2);
    }

    @Test
    void removalsReportTheWorkloadAndAStandaloneReplicaSetIsAWorkload() {
        ClusterInventory inventory = new ClusterInventory();
        inventory.put(deployment());
        inventory.put(replicaSet("web-abc", "web"));
        V1Pod pod = pod("web-abc-1", "ReplicaSet", "web-abc");
        inventory.put(pod);
        assertThat(inventory.remove(pod)).containsExactly(WEB);
        assertThat(inventory.workload(WEB).instances()).isEmpty();
        assertThat(inventory.remove(deployment())).containsExactly(WEB);
        assertThat(inventory.workload(WEB)).isNull();

        V1ReplicaSet bare = replicaSet("frontend", null);
        assertThat(inventory.put(bare)).containsExactly(new WorkloadRef("shop", NativeKind.ReplicaSet, "frontend"));
        assertThat(inventory.refs()).containsExactly(new WorkloadRef("shop", NativeKind.ReplicaSet, "frontend"));
    }

    @Test
    void podEventsResolveToTheOwningWorkload() {
        ClusterInventory inventory = new ClusterInventory();
        inventory.put(deployment());
        inventory.put(replicaSet("web-abc", "web"));
        inventory.put(pod("web-abc-1", "ReplicaSet", "web-abc"));
        var event = new io.kubernetes.client.openapi.models.CoreV1Event()
                .metadata(new V1ObjectMeta().name("e").namespace("shop"))
                .involvedObject(new io.kubernetes.client.openapi.models.V1ObjectReference().kind("Pod").name("web-abc-1"));
        assertThat(inventory.workloadOf(event)).isEqualTo(WEB);
        assertThat(inventory.involvedNames(WEB)).containsExactlyInAnyOrder("web", "web-abc", "web-abc-1");
    }

    private static V1Deployment deployment() {
        return new V1Deployment().metadata(new V1ObjectMeta().name("web").namespace("shop"));
    }

    private static V1ReplicaSet replicaSet(String name, String deployment) {
        V1ObjectMeta meta = new V1ObjectMeta().name(name).namespace("shop");
        if (deployment != null) {
            meta.ownerReferences(List.of(new V1OwnerReference().kind("Deployment").name(deployment).controller(true)));
        }
        return new V1ReplicaSet().metadata(meta);
    }

    private static V1Pod pod(String name, String ownerKind, String owner) {
        return new V1Pod().metadata(new V1ObjectMeta().name(name).namespace("shop")
                .ownerReferences(List.of(new V1OwnerReference().kind(ownerKind).name(owner).controller(true))));
    }
}
