package io.gantry.swarm;

import io.gantry.spi.EngineRevision;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The history Swarm itself keeps of a service: its {@code Spec} and, once it has been changed, its
 * {@code PreviousSpec}; swarmkit keeps nothing older. The handles are therefore positions, not names:
 * {@value #CURRENT} and {@value #PREVIOUS} mean whatever the service holds there when asked, so a rollback
 * through Swarm's own {@code rollback=previous} is taken only when the {@code PreviousSpec} it would restore is
 * still the spec asked for.
 */
final class SwarmRevisions {
    static final String CURRENT = "current";
    static final String PREVIOUS = "previous";

    private SwarmRevisions() {
    }

    /**
     * The service's revisions, newest first. A {@code PreviousSpec} that reads as the same normalized spec as
     * {@code Spec} is left out: Swarm makes one on every write, also for a restart ({@code ForceUpdate}) or a
     * label change that the model does not hold, and two equal revisions would only say "nothing changed".
     */
    static List<EngineRevision> of(JsonNode service, SwarmConfigIndex configs) {
        WorkloadSpec current = SwarmServiceReader.spec(service, configs);
        List<EngineRevision> out = new ArrayList<>(2);
        out.add(new EngineRevision(CURRENT, Json.instant(service, "UpdatedAt"), current, currentMessage(service), true));
        previous(service, configs).filter(previous -> !previous.equals(current)).ifPresent(previous ->
                // Swarm keeps no time for PreviousSpec, and UpdatedAt moves with every write (its updater's too)
                out.add(new EngineRevision(PREVIOUS, null, previous, "Swarm's PreviousSpec", false)));
        return List.copyOf(out);
    }

    /** Whether Swarm's own rollback would put back exactly {@code spec}: the handle is {@value #PREVIOUS} and it still holds it. */
    static boolean rollsBackTo(JsonNode service, WorkloadSpec spec, String engineRevision, SwarmConfigIndex configs) {
        return PREVIOUS.equals(engineRevision) && previous(service, configs).filter(p -> p.equals(spec)).isPresent();
    }

    private static Optional<WorkloadSpec> previous(JsonNode service, SwarmConfigIndex configs) {
        JsonNode previous = service.path("PreviousSpec");
        return previous.isObject() ? Optional.of(SwarmServiceReader.spec(service, previous, configs)) : Optional.empty();
    }

    private static String currentMessage(JsonNode service) {
        String update = Json.text(service.path("UpdateStatus"), "Message");
        return "Swarm's Spec (version " + SwarmServiceReader.versionIndex(service) + ")"
                + (update == null || update.isBlank() ? "" : ": " + update);
    }
}
