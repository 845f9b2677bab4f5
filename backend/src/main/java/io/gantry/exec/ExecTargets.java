package io.gantry.exec;

import io.gantry.engine.PrivilegedRuntimes;
import io.gantry.spi.Instance;
import io.gantry.spi.InstanceState;
import io.gantry.web.ConflictException;
import io.gantry.web.NotFoundException;
import io.gantry.workload.WorkloadStore;
import io.gantry.workload.WorkloadAccess;
import io.gantry.workload.WorkloadView;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** Finds the instance a session is for and decides whether the caller may run anything in it. */
@Component
class ExecTargets {
    private final WorkloadStore workloads;
    private final PrivilegedRuntimes runtimes;

    private final WorkloadAccess access;
    ExecTargets(WorkloadStore workloads, PrivilegedRuntimes runtimes, WorkloadAccess access) {
        this.access = access;
        this.workloads = workloads;
        this.runtimes = runtimes;
    }

    /** A running instance of a stored workload. */
    record Target(WorkloadView workload, Instance instance) {
        String describe() {
            return workload.engine().name() + "/" + workload.name() + " instance " + instance.id();
        }
    }

    /**
     * @throws NotFoundException  when the workload or the instance is not known (as last synced)
     * @throws ConflictException  when the instance is not running
     * @throws io.gantry.web.ForbiddenException when the workload runs host processes and the caller is no ADMIN
     */
    Target resolve(UUID workloadId, String instanceId) {
        WorkloadView workload = access.operable(workloadId);
        Instance instance = workload.instances().stream().filter(i -> i.id().equals(instanceId)).findFirst()
                .orElseThrow(() -> new NotFoundException("instance '" + instanceId + "' of workload '" + workload.name()
                        + "' does not exist (as last synced)"));
        if (instance.state() != InstanceState.RUNNING) {
            throw new ConflictException("instance '" + instanceId + "' is " + instance.state().name().toLowerCase()
                    + ": a command can only run in a running instance");
        }
        runtimes.requireAllowedExec(workload.engine(), workload.spec());
        return new Target(workload, instance);
    }
}
