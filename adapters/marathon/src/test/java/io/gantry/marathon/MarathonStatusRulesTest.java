package io.gantry.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.json.Json;
import org.junit.jupiter.api.Test;

/** Wording of {@link MarathonStatusRules} where no real object shows every variant (the rule table has the rest). */
class MarathonStatusRulesTest {

    @Test
    void everyDeclinedOfferReasonInOperatorWordsAndUnknownReasonsAsMarathonSpellsThem() {
        String entry = """
                {"app": {"id": "/web"}, "count": 1, "delay": {"timeLeftSeconds": 0, "overdue": true},
                 "processedOffersSummary": {"rejectSummaryLastOffers": [
                   {"reason": "UnfulfilledRole", "declined": 3, "processed": 5},
                   {"reason": "UnfulfilledConstraint", "declined": 2, "processed": 2},
                   {"reason": "InsufficientPorts", "declined": 1, "processed": 1},
                   {"reason": "InsufficientGpus", "declined": 0, "processed": 1},
                   {"reason": "SomethingNew", "declined": 1, "processed": 1}]}}""";
        assertThat(MarathonStatusRules.queueMessage(Json.parse(entry))).isEqualTo("1 instance(s) waiting for Mesos "
                + "offers: role not offered on 3 of 5 agents, constraints not met on 2 of 2 agents, no free ports on "
                + "1 of 1 agents, SomethingNew on 1 of 1 agents");
    }

    @Test
    void aBackOffNeedsTimeLeftAndNotOverdue() {
        assertThat(MarathonStatusRules.backedOff(Json.parse("{\"delay\": {\"timeLeftSeconds\": 45, \"overdue\": false}}")))
                .isTrue();
        assertThat(MarathonStatusRules.backedOff(Json.parse("{\"delay\": {\"timeLeftSeconds\": 0, \"overdue\": false}}")))
                .isFalse();
        assertThat(MarathonStatusRules.backedOff(Json.parse("{\"delay\": {\"timeLeftSeconds\": 45, \"overdue\": true}}")))
                .isFalse();
    }
}
