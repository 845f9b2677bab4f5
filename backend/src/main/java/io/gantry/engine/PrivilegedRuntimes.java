package io.gantry.engine;

import io.gantry.security.Role;
import io.gantry.spi.EngineRuntime;
import io.gantry.spi.WorkloadSpec;
import io.gantry.web.ForbiddenException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * Who may run a workload on a privileged runtime: one whose workloads are host processes with the engine's own
 * reach (the agent's {@code raw}, see {@link EngineRuntime#privileged()}). Deploying or updating such a workload is
 * running a command on the host, so it takes an ADMIN; unprivileged runtimes (the agent's {@code runc}) stay open to
 * OPERATORs. Which runtime a spec would run with is the engine's call (a spec naming none gets the engine's
 * default), so it is asked, never guessed here.
 */
@Component
public class PrivilegedRuntimes {
    private final EngineClients clients;

    PrivilegedRuntimes(EngineClients clients) {
        this.clients = clients;
    }

    /** A runtime an engine offers, and whether the current user may choose it. */
    public record Choice(String name, boolean privileged, boolean allowed) {
    }

    /** The engine's runtimes for the current user; empty for engines without a choice, or one that does not answer. */
    public List<Choice> choices(UUID engineId) {
        List<EngineRuntime> runtimes;
        try {
            runtimes = clients.call(engineId, "list runtimes", c -> c.runtimes());
        } catch (RuntimeException unreachable) {
            return List.of();
        }
        boolean admin = currentUserIsAdmin();
        return runtimes.stream().map(r -> new Choice(r.name(), r.privileged(), admin || !r.privileged())).toList();
    }

    /**
     * Refuses a deploy or update of {@code spec} on {@code engine} that would run on a privileged runtime, unless the
     * current user is an ADMIN. Scaling, restarting or deleting an existing workload needs no such check: it runs
     * nothing that was not already chosen by an ADMIN.
     *
     * @throws ForbiddenException naming {@code spec.runtime}
     * @throws io.gantry.spi.InvalidSpecException naming {@code spec.runtime} when the engine does not offer the runtime
     */
    public void requireAllowed(Engine engine, WorkloadSpec spec) {
        Optional<String> privileged = clients.call(engine.id(), "check the runtime", c -> c.privilegedRuntime(spec));
        if (privileged.isPresent() && !currentUserIsAdmin()) {
            throw new ForbiddenException("spec.runtime", "runtime '" + privileged.get() + "' on engine '" + engine.name()
                    + "' runs host processes: only an ADMIN may deploy or update such a workload"
                    + (spec.runtime() == null ? " (it is the engine's default for this spec; choose another runtime)" : ""));
        }
    }

    /**
     * Refuses a console or command in an instance of a workload that runs on a privileged runtime, unless the current
     * user is an ADMIN: a shell there is a shell on the host with the engine's reach (for the built-in agent, the
     * server's own files, environment and database), whoever deployed the workload.
     *
     * @throws ForbiddenException naming {@code instance}
     */
    public void requireAllowedExec(Engine.EngineRef engine, WorkloadSpec spec) {
        if (currentUserIsAdmin()) {
            return;
        }
        Optional<String> privileged = clients.call(engine.id(), "check the runtime", c -> c.privilegedRuntime(spec));
        if (privileged.isPresent()) {
            throw new ForbiddenException("instance", "runtime '" + privileged.get() + "' on engine '" + engine.name()
                    + "' runs host processes: only an ADMIN may open a console or run a command in its instances");
        }
    }

    private static boolean currentUserIsAdmin() {
        return Role.of(SecurityContextHolder.getContext().getAuthentication()).map(r -> r.includes(Role.ADMIN))
                .orElse(false);
    }
}
