package io.gantry.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.PhaseRule.Facts;
import org.junit.jupiter.api.Test;

class PhaseRuleTest {

    @Test
    void stoppedWhenNothingIsDesired() {
        assertThat(PhaseRule.phase(Facts.of(0, 0))).isEqualTo(Phase.STOPPED);
    }

    @Test
    void runningWhenAllReplicasRunAndAreHealthy() {
        assertThat(PhaseRule.phase(Facts.of(3, 3))).isEqualTo(Phase.RUNNING);
        assertThat(PhaseRule.phase(new Facts(3, 3, 3, true, false, 0, 3, false))).isEqualTo(Phase.RUNNING);
    }

    @Test
    void unhealthyReplicasAreNotRunning() {
        assertThat(PhaseRule.phase(new Facts(3, 3, 1, true, false, 0, 3, false))).isEqualTo(Phase.DEGRADED);
    }

    @Test
    void deployingWhileARolloutIsInProgress() {
        assertThat(PhaseRule.phase(new Facts(3, 3, 3, false, true, 0, 3, false))).isEqualTo(Phase.DEPLOYING);
        assertThat(PhaseRule.phase(new Facts(3, 0, 0, false, true, 0, 0, false))).isEqualTo(Phase.DEPLOYING);
    }

    @Test
    void degradedWhenSomeButNotAllRun() {
        assertThat(PhaseRule.phase(Facts.of(3, 1))).isEqualTo(Phase.DEGRADED);
    }

    @Test
    void failedWhenNoneRunAndInstancesFailed() {
        assertThat(PhaseRule.phase(new Facts(2, 0, 0, false, false, 2, 2, false))).isEqualTo(Phase.FAILED);
    }

    @Test
    void pendingWhenNothingStartedYet() {
        assertThat(PhaseRule.phase(new Facts(2, 0, 0, false, false, 0, 0, false))).isEqualTo(Phase.PENDING);
    }

    @Test
    void unknownWhenInstancesEndedWithoutFailing() {
        assertThat(PhaseRule.phase(new Facts(2, 0, 0, false, false, 0, 2, false))).isEqualTo(Phase.UNKNOWN);
    }

    @Test
    void completedJobIsStopped() {
        assertThat(PhaseRule.phase(new Facts(1, 0, 0, false, false, 0, 1, true))).isEqualTo(Phase.STOPPED);
    }

    @Test
    void statusReportsHealthyAsRunningWithoutACheck() {
        WorkloadStatus s = PhaseRule.status(new Facts(2, 2, 0, false, false, 0, 2, false), null, null);
        assertThat(s.healthy()).isEqualTo(2);
        assertThat(s.message()).isEmpty();
    }
}
