package io.gantry.swarm;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.json.Json;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The container an exec runs in: a Swarm task's ({@code Status.ContainerStatus.ContainerID}), on the node whose
 * daemon the engine talks to. The Engine API's exec is a container call, and a daemon knows only its own node's
 * containers, so a task on another node of a multi-node swarm cannot be reached through this endpoint.
 *
 * @param taskId      the task (Gantry's instance id)
 * @param containerId the task's container on the local node
 */
record SwarmExecTarget(String taskId, String containerId) {

    /**
     * @param task        {@code GET /tasks/{id}}
     * @param serviceId   the workload the instance must belong to
     * @param localNodeId the node whose daemon answers ({@code GET /info}: {@code Swarm.NodeID})
     * @param nodes       node names, for a refusal that says where the task runs
     * @throws WorkloadNotFoundException      when the task belongs to another service
     * @throws UnsupportedCapabilityException when the task runs on another node
     * @throws EngineConflictException        when the task is not running (or has no container yet)
     */
    static SwarmExecTarget of(JsonNode task, String serviceId, String localNodeId,
                              Map<String, SwarmServiceReader.NodeRef> nodes) {
        String taskId = Json.text(task, "ID", "");
        if (!serviceId.equals(Json.text(task, "ServiceID", ""))) {
            throw new WorkloadNotFoundException(taskId);
        }
        String nodeId = Json.text(task, "NodeID", "");
        if (!nodeId.isEmpty() && !nodeId.equals(localNodeId)) {
            throw new UnsupportedCapabilityException(Capability.EXEC, "exec is node-local in Docker Swarm: task "
                    + taskId + " runs on node " + nodeName(nodeId, nodes) + ", and this engine's endpoint is the daemon of node "
                    + nodeName(localNodeId, nodes) + "; register that node's Docker endpoint as an engine to open a shell there");
        }
        String state = Json.text(task.path("Status"), "State", "unknown");
        String containerId = Json.text(task.path("Status").path("ContainerStatus"), "ContainerID", "");
        if (!"running".equals(state) || containerId.isEmpty()) {
            throw new EngineConflictException("task " + taskId + " is " + state + ", not running: there is no process to exec in");
        }
        return new SwarmExecTarget(taskId, containerId);
    }

    private static String nodeName(String nodeId, Map<String, SwarmServiceReader.NodeRef> nodes) {
        SwarmServiceReader.NodeRef node = nodes.get(nodeId);
        return node == null || node.hostname() == null ? "'" + nodeId + "'" : "'" + node.hostname() + "' (" + nodeId + ")";
    }
}
