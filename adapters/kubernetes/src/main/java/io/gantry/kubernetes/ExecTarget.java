package io.gantry.kubernetes;

import io.gantry.spi.EngineConflictException;
import io.gantry.spi.WorkloadNotFoundException;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;

/**
 * The pod and container an exec runs in: one of the workload's pods (an instance's id is its pod's name) and the
 * container whose logs Gantry shows, its first. Refused here, before any upgrade, where the API server or the kubelet
 * would refuse it less clearly: a pod that is not the workload's, or one whose container does not run.
 */
record ExecTarget(String namespace, String pod, String container) {

    /**
     * @param mainContainer the workload's first container, or {@code null} when its template names none (then the
     *                      pod's first)
     * @throws WorkloadNotFoundException when the workload has no pod of that name
     * @throws EngineConflictException   when the pod or its container is not running
     */
    static ExecTarget of(ClusterInventory inventory, WorkloadRef ref, String instanceId, String mainContainer) {
        V1Pod pod = inventory.pods(ref).stream().filter(p -> instanceId.equals(p.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new WorkloadNotFoundException(ref.nativeId() + "/" + instanceId));
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (!"Running".equals(phase)) {
            throw new EngineConflictException("pod " + instanceId + " is " + (phase == null ? "not started" : phase)
                    + ", not Running: there is no process to run a command beside");
        }
        String container = mainContainer != null ? mainContainer : pod.getSpec().getContainers().get(0).getName();
        V1ContainerStatus status = pod.getStatus().getContainerStatuses() == null ? null
                : pod.getStatus().getContainerStatuses().stream().filter(s -> container.equals(s.getName())).findFirst()
                        .orElse(null);
        if (status != null && (status.getState() == null || status.getState().getRunning() == null)) {
            throw new EngineConflictException("container " + container + " of pod " + instanceId + " is not running ("
                    + why(status.getState()) + ")");
        }
        return new ExecTarget(ref.namespace(), instanceId, container);
    }

    private static String why(V1ContainerState state) {
        if (state != null && state.getWaiting() != null && state.getWaiting().getReason() != null) {
            return state.getWaiting().getReason();
        }
        if (state != null && state.getTerminated() != null) {
            return "terminated with exit code " + state.getTerminated().getExitCode();
        }
        return "no state reported";
    }
}
