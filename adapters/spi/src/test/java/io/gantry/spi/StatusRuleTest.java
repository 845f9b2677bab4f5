package io.gantry.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatusRuleTest {
    private record Facts(boolean paused, int updated, int desired) {
    }

    private static final List<StatusRule<Facts>> TABLE = List.of(
            new StatusRule<>("paused", Facts::paused, Rollout.PAUSED, f -> "rollout paused"),
            new StatusRule<>("not all updated", f -> f.updated() < f.desired(), Rollout.PROGRESSING,
                    f -> f.updated() + " of " + f.desired() + " updated"),
            StatusRule.saying("nothing to say", f -> ""));

    @Test
    void theFirstRuleWithAVerdictDecidesAndEveryRuleThatHoldsIsSaid() {
        StatusRule.Verdict v = StatusRule.judge(TABLE, new Facts(true, 1, 3));
        assertThat(v.rollout()).isEqualTo(Rollout.PAUSED);
        assertThat(v.words()).containsExactly("rollout paused", "1 of 3 updated");
    }

    @Test
    void noRuleHoldingMeansNoVerdictAndNoWords() {
        StatusRule.Verdict v = StatusRule.judge(TABLE, new Facts(false, 3, 3));
        assertThat(v.rollout()).isEqualTo(Rollout.NONE);
        assertThat(v.words()).isEmpty();
    }
}
