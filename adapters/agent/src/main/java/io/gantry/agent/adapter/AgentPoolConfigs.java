package io.gantry.agent.adapter;

import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineException;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.config.ConfigDefinition;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.ConfigObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A pool's secrets and configs: every agent keeps every object, so that any of them can run a task that uses it
 * (replicas move when an agent stops answering). Writes go to every agent and say which did not take them.
 */
final class AgentPoolConfigs {

    /** One agent of the pool. */
    record Agent(String endpoint, AgentConfigs configs) {
    }

    private final String engine;
    private final List<Agent> agents;
    /** The pool's workloads, to find the users of an object before deleting it anywhere. */
    private final Supplier<List<Workload>> workloads;

    AgentPoolConfigs(String engine, List<Agent> agents, Supplier<List<Workload>> workloads) {
        this.engine = engine;
        this.agents = List.copyOf(agents);
        this.workloads = workloads;
    }

    /** Merged by namespace, kind and name: the highest version, as the agents that missed a rotation lag behind. */
    List<ConfigObject> list() {
        Map<String, ConfigObject> merged = new LinkedHashMap<>();
        EngineException last = null;
        boolean answered = false;
        for (Agent a : agents) {
            try {
                for (ConfigObject o : a.configs().list()) {
                    merged.merge(o.nativeId(), o, (x, y) -> Long.parseLong(y.version()) > Long.parseLong(x.version()) ? y : x);
                }
                answered = true;
            } catch (EngineUnavailableException e) {
                last = e;
            }
        }
        if (!answered && last != null) {
            throw new EngineUnavailableException("no agent of engine '" + engine + "' answers", last);
        }
        return merged.values().stream().sorted(Comparator.comparing(ConfigObject::namespace)
                .thenComparing(ConfigObject::name).thenComparing(ConfigObject::kind)).toList();
    }

    /**
     * All or nothing: when an agent does not take it, those that did forget it again, so that a retry starts clean.
     *
     * @throws EngineUnavailableException naming the agents that did not answer
     */
    ConfigObject create(ConfigDefinition definition) {
        List<Agent> took = new ArrayList<>();
        List<String> down = new ArrayList<>();
        ConfigObject created = null;
        EngineException refused = null;
        for (Agent a : agents) {
            try {
                created = a.configs().create(definition);
                took.add(a);
            } catch (EngineUnavailableException e) {
                down.add(a.endpoint());
            } catch (EngineException e) {
                refused = refused == null ? e : refused;
            }
        }
        if (refused == null && down.isEmpty()) {
            return created;
        }
        for (Agent a : took) {
            try {
                a.configs().delete(created.nativeId());
            } catch (EngineException ignored) {
                // best effort: what the caller must see is why the create failed
            }
        }
        if (refused != null) {
            throw refused;
        }
        throw new EngineUnavailableException("agents " + down + " of engine '" + engine + "' did not answer: "
                + what(definition.kind()) + " '" + definition.name() + "' was not created");
    }

    /**
     * @throws EngineUnavailableException naming the agents not rotated (the others were: a rotation is not undone,
     *                                    the old values are gone); retrying the rotation reaches them
     */
    ConfigObject rotate(String nativeId, Map<String, String> data) {
        ConfigObject rotated = null;
        List<String> down = new ArrayList<>();
        for (Agent a : agents) {
            try {
                rotated = a.configs().rotate(nativeId, data);
            } catch (EngineUnavailableException e) {
                down.add(a.endpoint());
            } catch (WorkloadNotFoundException e) {
                // an agent that missed the create: it has no task using it either
            }
        }
        if (!down.isEmpty()) {
            throw new EngineUnavailableException("agents " + down + " of engine '" + engine + "' did not answer: "
                    + nativeId + " was rotated on the others only; rotate again once they answer");
        }
        if (rotated == null) {
            throw new WorkloadNotFoundException(nativeId);
        }
        return rotated;
    }

    Map<String, String> read(String nativeId) {
        EngineUnavailableException down = null;
        for (Agent a : agents) {
            try {
                return a.configs().read(nativeId);
            } catch (EngineUnavailableException e) {
                down = e;
            } catch (WorkloadNotFoundException e) {
                // another agent may have it
            }
        }
        if (down != null) {
            throw down;
        }
        throw new WorkloadNotFoundException(nativeId);
    }

    /**
     * Refused before any agent is touched when a workload uses the object (an agent refuses only for its own tasks).
     *
     * @throws EngineUnavailableException naming the agents it is left on
     */
    void delete(String nativeId) {
        AgentConfigs.Ref ref = AgentConfigs.ref(nativeId);
        ConfigKind kind = AgentConfigs.toObjectKind(ref.kind());
        List<String> users = workloads.get().stream().filter(w -> w.namespace().equals(ref.namespace()))
                .filter(w -> w.spec().secrets().stream().anyMatch(r -> r.source().equals(ref.name()) && r.kind() == kind))
                .map(Workload::name).toList();
        if (!users.isEmpty()) {
            throw new EngineConflictException(nativeId + " is in use by " + users);
        }
        List<String> down = new ArrayList<>();
        boolean found = false;
        for (Agent a : agents) {
            try {
                a.configs().delete(nativeId);
                found = true;
            } catch (EngineUnavailableException e) {
                down.add(a.endpoint());
            } catch (WorkloadNotFoundException e) {
                // already gone there
            }
        }
        if (!down.isEmpty()) {
            throw new EngineUnavailableException("agents " + down + " of engine '" + engine + "' did not answer: "
                    + nativeId + " is left on them; delete again once they answer");
        }
        if (!found) {
            throw new WorkloadNotFoundException(nativeId);
        }
    }

    private static String what(ConfigKind kind) {
        return kind == ConfigKind.CONFIG ? "config" : "secret";
    }
}
