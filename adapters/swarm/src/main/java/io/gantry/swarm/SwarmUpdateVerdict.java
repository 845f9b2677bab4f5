package io.gantry.swarm;

import io.gantry.spi.Rollout;
import io.gantry.spi.json.Json;
import java.util.Arrays;
import tools.jackson.databind.JsonNode;

/**
 * Swarm's own verdict on a service's update ({@code UpdateStatus.State}, swarmkit's
 * {@code api.UpdateStatus_UpdateState}) -> the rollout the phase rule weighs and the words the message starts
 * with. Swarm pauses a failing update by default ({@code UpdateConfig.FailureAction} "pause"), so a paused
 * update is news even when every old replica still runs: its message carries Swarm's reason.
 */
enum SwarmUpdateVerdict {
    UPDATING("updating", Rollout.PROGRESSING, "updating: "),
    ROLLING_BACK("rollback_started", Rollout.PROGRESSING, "rolling back: "),
    PAUSED("paused", Rollout.PAUSED, "update paused: "),
    ROLLBACK_PAUSED("rollback_paused", Rollout.PAUSED, "rollback paused: "),
    ROLLED_BACK("rollback_completed", Rollout.ROLLED_BACK, "update rolled back: "),
    /** A rollback someone asked for (Gantry's, {@code docker service rollback}) is a change like an update: the counts decide. */
    ROLLED_BACK_ON_REQUEST("rollback_completed", Rollout.NONE, "rolled back on request: "),
    /** {@code completed}, no update ever, or a state this adapter does not know: the counts decide. */
    NONE("", Rollout.NONE, "");

    private final String state;
    private final Rollout rollout;
    private final String prefix;

    SwarmUpdateVerdict(String state, Rollout rollout, String prefix) {
        this.state = state;
        this.rollout = rollout;
        this.prefix = prefix;
    }

    static SwarmUpdateVerdict of(JsonNode service) {
        String state = Json.text(service.path("UpdateStatus"), "State", "");
        SwarmUpdateVerdict verdict = Arrays.stream(values()).filter(v -> v != NONE && v != ROLLED_BACK_ON_REQUEST
                && v.state.equals(state)).findFirst().orElse(NONE);
        return verdict == ROLLED_BACK && rollbackRequested(service) ? ROLLED_BACK_ON_REQUEST : verdict;
    }

    /**
     * Whether the rollback the service went through was asked for rather than Swarm's answer to a failing update.
     * Only the object tells, and only this way: swarmkit's own rollback ({@code updater.rollbackUpdate}) clears
     * {@code PreviousSpec}, one asked for ({@code rollback=previous}, controlapi's {@code UpdateService}) swaps
     * {@code Spec} and {@code PreviousSpec}; {@code UpdateStatus.Message} says "rollback completed" for both
     * (captured: {@code status/GET_services_rollback_completed.json}, {@code ..._rollback_requested.json}).
     */
    static boolean rollbackRequested(JsonNode service) {
        return Json.text(service.path("UpdateStatus"), "State", "").startsWith("rollback")
                && service.path("PreviousSpec").isObject();
    }

    Rollout rollout() {
        return rollout;
    }

    /** Whether tasks are being replaced now, so that "n of m updated" means something. */
    boolean underWay() {
        return rollout == Rollout.PROGRESSING;
    }

    /** {@code update paused: <Swarm's message>}, or empty when there is no verdict to tell. */
    String message(JsonNode service) {
        return this == NONE ? "" : prefix + Json.text(service.path("UpdateStatus"), "Message", "no message from Swarm");
    }
}
