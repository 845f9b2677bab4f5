package io.gantry.agent.task;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.gantry.agent.api.v1.ConfigKind;
import io.gantry.agent.api.v1.Container;
import io.gantry.agent.api.v1.SecretRef;
import io.gantry.agent.api.v1.Task;
import io.gantry.agent.api.v1.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The containers and tasks that use a secret or config: who blocks its deletion, who restarts on its rotation. */
public final class ConfigUsers {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigUsers.class);
    /** A stop's SIGTERM grace and the SIGKILL after it, with room to spare. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(15);

    private final ContainerStore containers;
    private final TaskSupervisor tasks;

    public ConfigUsers(ContainerStore containers, TaskSupervisor tasks) {
        this.containers = containers;
        this.tasks = tasks;
    }

    /** @throws AgentFailure FAILED_PRECONDITION naming the containers (and their tasks) that reference the object */
    public void requireUnused(String namespace, String name, ConfigKind kind) {
        List<Container> users = containers.using(namespace, name, kind);
        if (users.isEmpty()) {
            return;
        }
        List<String> named = new ArrayList<>();
        for (Container c : users) {
            List<String> ids = tasks.list(namespace, c.getId()).stream().map(Task::getId).toList();
            named.add("container " + c.getId() + (ids.isEmpty() ? "" : " (tasks " + String.join(", ", ids) + ")"));
        }
        throw AgentFailure.precondition("in use by " + String.join("; ", named));
    }

    /** @throws AgentFailure INVALID_ARGUMENT when new data would drop a key a container reads */
    public void requireKeys(String namespace, String name, ConfigKind kind, Set<String> keys) {
        for (Container c : containers.using(namespace, name, kind)) {
            for (SecretRef ref : c.getSpec().getSecretsList()) {
                if (ref.getSource().equals(name) && !ref.getKey().isEmpty() && !keys.contains(ref.getKey())) {
                    throw AgentFailure.invalid("data: key '" + ref.getKey() + "' is used by container " + c.getId());
                }
            }
        }
    }

    /**
     * Restarts, one at a time, the running (or restart-pending) tasks of the containers that use the object: they
     * read their variables and files at start only.
     *
     * @return the ids of the tasks restarted
     */
    public List<String> restartUsers(String namespace, String name, ConfigKind kind) {
        List<String> restarted = new ArrayList<>();
        for (Container c : containers.using(namespace, name, kind)) {
            for (Task t : tasks.list(namespace, c.getId())) {
                if (t.getStatus() != TaskStatus.TASK_STATUS_RUNNING
                        && t.getStatus() != TaskStatus.TASK_STATUS_RESTARTING) {
                    continue;
                }
                try {
                    tasks.kill(namespace, t.getId(), 0);
                    tasks.waitFor(namespace, t.getId()).get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    tasks.start(namespace, t.getId());
                    restarted.add(t.getId());
                } catch (AgentFailure | ExecutionException | TimeoutException e) {
                    // the others still get the new values; this one's state tells what went wrong
                    LOG.warn("task {}/{} did not restart after a rotation: {}", namespace, t.getId(), e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return restarted;
                }
            }
        }
        return restarted;
    }
}
