package io.gantry.history;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Deletes history older than the retention, once per prune period. */
@Component
class HistoryPruner {
    private static final Logger log = LoggerFactory.getLogger(HistoryPruner.class);

    private final HistoryStore history;
    private final HistorySettings settings;

    HistoryPruner(HistoryStore history, HistorySettings settings) {
        this.history = history;
        this.settings = settings;
    }

    @Scheduled(fixedDelayString = "${gantry.history.prune-period:1h}")
    void prune() {
        pruneAt(Instant.now());
    }

    /** @return the rows deleted */
    int pruneAt(Instant now) {
        int deleted = history.pruneBefore(now.minus(settings.retention()));
        if (deleted > 0) {
            log.debug("History: {} rows older than {} pruned", deleted, settings.retention());
        }
        return deleted;
    }
}
