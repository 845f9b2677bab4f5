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
        return Arrays.stream(values()).filter(v -> v != NONE && v.state.equals(state)).findFirst().orElse(NONE);
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
