package io.gantry.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.PhaseRule.Facts;
import java.util.List;
import org.junit.jupiter.api.Test;

class PhaseRuleTest {

    @Test
    void stoppedWhenNothingIsDesired() {
        assertThat(PhaseRule.phase(Facts.of(0, 0))).isEqualTo(Phase.STOPPED);
    }

    @Test
    void runningWhenAllReplicasRunAndAreHealthy() {
        assertThat(PhaseRule.phase(Facts.of(3, 3))).isEqualTo(Phase.RUNNING);
        assertThat(PhaseRule.phase(new Facts(3, 3, 3, true, Rollout.NONE, 0, 3, false))).isEqualTo(Phase.RUNNING);
    }

    @Test
    void unhealthyReplicasAreNotRunning() {
        assertThat(PhaseRule.phase(new Facts(3, 3, 1, true, Rollout.NONE, 0, 3, false))).isEqualTo(Phase.DEGRADED);
    }

    @Test
    void deployingWhileARolloutIsInProgress() {
        assertThat(PhaseRule.phase(new Facts(3, 3, 3, false, Rollout.PROGRESSING, 0, 3, false))).isEqualTo(Phase.DEPLOYING);
        assertThat(PhaseRule.phase(new Facts(3, 0, 0, false, Rollout.PROGRESSING, 0, 0, false))).isEqualTo(Phase.DEPLOYING);
    }

    @Test
    void degradedWhenSomeButNotAllRun() {
        assertThat(PhaseRule.phase(Facts.of(3, 1))).isEqualTo(Phase.DEGRADED);
    }

    @Test
    void failedWhenNoneRunAndInstancesFailed() {
        assertThat(PhaseRule.phase(new Facts(2, 0, 0, false, Rollout.NONE, 2, 2, false))).isEqualTo(Phase.FAILED);
    }

    @Test
    void pendingWhenNothingStartedYet() {
        assertThat(PhaseRule.phase(new Facts(2, 0, 0, false, Rollout.NONE, 0, 0, false))).isEqualTo(Phase.PENDING);
    }

    @Test
    void unknownWhenInstancesEndedWithoutFailing() {
        assertThat(PhaseRule.phase(new Facts(2, 0, 0, false, Rollout.NONE, 0, 2, false))).isEqualTo(Phase.UNKNOWN);
    }

    @Test
    void completedJobIsStopped() {
        assertThat(PhaseRule.phase(new Facts(1, 0, 0, false, Rollout.NONE, 0, 1, true))).isEqualTo(Phase.STOPPED);
    }

    @Test
    void statusReportsHealthyAsRunningWithoutACheck() {
        WorkloadStatus s = PhaseRule.status(new Facts(2, 2, 0, false, Rollout.NONE, 0, 2, false), null, null);
        assertThat(s.healthy()).isEqualTo(2);
        assertThat(s.message()).isEmpty();
    }

    @Test
    void aPausedRolloutIsPausedWhateverTheCounts() {
        assertThat(PhaseRule.phase(new Facts(3, 3, 3, false, Rollout.PAUSED, 0, 3, false))).isEqualTo(Phase.PAUSED);
        assertThat(PhaseRule.phase(new Facts(3, 1, 1, false, Rollout.PAUSED, 1, 3, false))).isEqualTo(Phase.PAUSED);
        // a suspended CronJob wants nothing between runs, and is still paused rather than stopped
        assertThat(PhaseRule.phase(new Facts(0, 0, 0, false, Rollout.PAUSED, 0, 0, false))).isEqualTo(Phase.PAUSED);
    }

    @Test
    void aRolloutTheEngineGaveUpOnIsFailedEvenWithTheOldReplicasRunning() {
        assertThat(PhaseRule.phase(new Facts(3, 3, 3, false, Rollout.FAILED, 0, 3, false))).isEqualTo(Phase.FAILED);
    }

    @Test
    void aRolledBackUpdateIsDegradedWhileTheOldSpecRuns() {
        assertThat(PhaseRule.phase(new Facts(3, 3, 3, false, Rollout.ROLLED_BACK, 0, 3, false))).isEqualTo(Phase.DEGRADED);
        assertThat(PhaseRule.phase(new Facts(3, 0, 0, false, Rollout.ROLLED_BACK, 0, 3, false))).isEqualTo(Phase.FAILED);
    }

    @Test
    void failingInstancesOutrankARolloutInProgress() {
        assertThat(PhaseRule.phase(new Facts(3, 3, 3, false, Rollout.PROGRESSING, 1, 4, false))).isEqualTo(Phase.DEGRADED);
        assertThat(PhaseRule.phase(new Facts(3, 0, 0, false, Rollout.PROGRESSING, 1, 1, false))).isEqualTo(Phase.FAILED);
    }

    @Test
    void instanceReasonsNameTheFirstReasonAndHowManyShareIt() {
        List<Instance> instances = List.of(instance("a", ""), instance("b", "CrashLoopBackOff"),
                instance("c", "OOMKilled"), instance("d", "CrashLoopBackOff"));
        assertThat(InstanceReasons.summary(instances)).isEqualTo("CrashLoopBackOff on 2 of 4 instances");
        assertThat(InstanceReasons.summary(List.of(instance("a", "exit 1")))).isEqualTo("exit 1 on 1 of 1 instance");
        assertThat(InstanceReasons.summary(List.of(instance("a", "")))).isEmpty();
    }

    private static Instance instance(String id, String reason) {
        return new Instance(id, null, reason.isEmpty() ? InstanceState.RUNNING : InstanceState.FAILED, null, null,
                null, reason, reason);
    }
}
