package io.gantry.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Which task an exec can reach, over tasks, nodes and {@code /info} captured from a real dockerd: only a running
 * task on the node of the daemon the engine talks to. The captures come from a single-node swarm, so "another
 * node" is this endpoint's daemon being a node other than the one the task runs on.
 */
class SwarmExecNodeTest {
    private static final JsonNode RUNNING_TASK = SwarmFixtures.json(SwarmFixtures.REAL + "/GET_tasks_id_running.json");
    private static final String SERVICE = Json.text(RUNNING_TASK, "ServiceID");
    private static final String LOCAL_NODE = Json.text(SwarmFixtures.json(SwarmFixtures.REAL + "/GET_info.json").path("Swarm"), "NodeID");
    private static final Map<String, SwarmServiceReader.NodeRef> NODES =
            SwarmServiceReader.nodeIndex(SwarmFixtures.json(SwarmFixtures.REAL + "/GET_nodes.json"));

    @Test
    void aRunningTaskOnThisNodeIsItsContainer() {
        SwarmExecTarget target = SwarmExecTarget.of(RUNNING_TASK, SERVICE, LOCAL_NODE, NODES);

        assertThat(target.taskId()).isEqualTo("53j9x8mz3k096x1berz7xiv1g");
        assertThat(target.containerId()).isEqualTo("95cafda061a738918f8fcd3434cb5cd794cf935de77989a3d67af2fb5234f5c4");
    }

    @Test
    void aTaskOnAnotherNodeIsRefusedAsNodeLocalNamingTheNode() {
        assertThatThrownBy(() -> SwarmExecTarget.of(RUNNING_TASK, SERVICE, "w0rker2nodeid00000000000", NODES))
                .isInstanceOfSatisfying(UnsupportedCapabilityException.class,
                        e -> assertThat(e.capability()).isEqualTo(Capability.EXEC))
                .hasMessageContaining("node-local")
                .hasMessageContaining("task 53j9x8mz3k096x1berz7xiv1g runs on node 'vm' (mh3ruz2m25ikmjrbiskdbciwa)")
                .hasMessageContaining("'w0rker2nodeid00000000000'");
    }

    @Test
    void everyTaskThatIsNotRunningIsAConflictSayingItsState() {
        List<JsonNode> stopped = new ArrayList<>();
        for (JsonNode task : SwarmFixtures.json(SwarmFixtures.REAL + "/GET_tasks.json")) {
            if (!"running".equals(Json.text(task.path("Status"), "State"))) {
                stopped.add(task);
            }
        }
        assertThat(stopped).extracting(t -> Json.text(t.path("Status"), "State"))
                .contains("rejected", "shutdown", "failed", "complete");
        for (JsonNode task : stopped) {
            String state = Json.text(task.path("Status"), "State");
            assertThatThrownBy(() -> SwarmExecTarget.of(task, Json.text(task, "ServiceID"), LOCAL_NODE, NODES))
                    .isInstanceOf(EngineConflictException.class)
                    .hasMessageContaining("is " + state + ", not running");
        }
    }

    @Test
    void aTaskOfAnotherServiceIsNotFound() {
        assertThatThrownBy(() -> SwarmExecTarget.of(RUNNING_TASK, "someotherservice0000000", LOCAL_NODE, NODES))
                .isInstanceOfSatisfying(WorkloadNotFoundException.class,
                        e -> assertThat(e.nativeId()).isEqualTo("53j9x8mz3k096x1berz7xiv1g"));
    }
}
