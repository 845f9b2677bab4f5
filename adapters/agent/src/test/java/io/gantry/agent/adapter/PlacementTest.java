package io.gantry.agent.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementTest {

    @Test
    void constraintsMatchAgentLabels() {
        Map<String, String> zoneA = Map.of("zone", "a", "disk", "ssd");
        assertThat(Placement.eligible(zoneA, List.of())).isTrue();
        assertThat(Placement.eligible(zoneA, List.of("node.labels.zone==a"))).isTrue();
        assertThat(Placement.eligible(zoneA, List.of("node.labels.zone==b"))).isFalse();
        assertThat(Placement.eligible(zoneA, List.of("node.labels.zone!=b", "node.labels.disk==ssd"))).isTrue();
        assertThat(Placement.eligible(zoneA, List.of("node.labels.zone != a"))).isFalse();
        assertThat(Placement.eligible(Map.of(), List.of("node.labels.zone==a"))).isFalse();
    }

    @Test
    void replicasSpreadEvenlyAndMoveAsLittleAsPossible() {
        assertThat(Placement.spread(5, List.of(0, 0))).containsExactly(3, 2);
        assertThat(Placement.spread(4, List.of(2))).containsExactly(4);
        assertThat(Placement.spread(4, List.of(4, 2))).containsExactly(2, 2);
        assertThat(Placement.spread(6, List.of(4, 0, 1))).containsExactly(4, 1, 1);
        assertThat(Placement.spread(0, List.of(1, 2))).containsExactly(0, 0);
        assertThat(Placement.spread(3, List.of())).isEmpty();
    }
}
