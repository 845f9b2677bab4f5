package io.gantry.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.EngineEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecentEventsTest {
    private static EngineEvent event(String id, int n) {
        return new EngineEvent(Instant.ofEpochSecond(n), id, EngineEvent.NORMAL, "Changed", "event " + n);
    }

    @Test
    void keepsTheNewestEventsOfTheMostRecentlyUsedWorkloads() {
        RecentEvents recent = new RecentEvents(2, 3);
        for (int n = 1; n <= 5; n++) {
            recent.remember(event("/a", n));
        }
        assertThat(recent.of("/a")).extracting(EngineEvent::message).containsExactly("event 5", "event 4", "event 3");

        recent.remember(event("/b", 1));
        recent.of("/a"); // used: /b is now the eldest
        recent.remember(event("/c", 1));
        assertThat(recent.of("/b")).isEmpty();
        assertThat(recent.of("/a")).hasSize(3);
        assertThat(recent.of("/c")).hasSize(1);
    }

    @Test
    void eventsOfNoWorkloadAreNotKeptAndCopiesAreTheCallers() {
        RecentEvents recent = new RecentEvents(2, 3);
        recent.remember(new EngineEvent(Instant.EPOCH, null, EngineEvent.NORMAL, "Leader", "leader changed"));
        assertThat(recent.of(null)).isEmpty();
        recent.remember(event("/a", 1));
        recent.of("/a").clear();
        assertThat(recent.of("/a")).hasSize(1);
    }
}
