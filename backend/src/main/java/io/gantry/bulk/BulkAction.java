package io.gantry.bulk;

import io.gantry.spi.Capability;
import io.gantry.web.BadRequestException;
import java.util.Arrays;
import java.util.Locale;

/** What a bulk run does to each workload, and the engine capability that takes. */
enum BulkAction {
    SCALE(Capability.SCALE), RESTART(Capability.RESTART), DELETE(Capability.DELETE), LABEL(Capability.LABEL),
    UPDATE(Capability.UPDATE), COPY(Capability.DEPLOY), ROLLBACK(Capability.UPDATE);

    final Capability needs;

    BulkAction(Capability needs) {
        this.needs = needs;
    }

    String param() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the UI asks the user to type the count before running it. */
    boolean destructive() {
        return this == DELETE;
    }

    static BulkAction of(String action) {
        return Arrays.stream(values()).filter(a -> a.param().equals(action)).findFirst()
                .orElseThrow(() -> BadRequestException.field("action", "unknown action '" + action + "'; one of "
                        + Arrays.stream(values()).map(BulkAction::param).toList()));
    }
}
