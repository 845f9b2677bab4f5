package io.gantry.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Swarm's task errors, as captured in {@code testdata/fixtures/swarm}, and their short reasons. */
class SwarmTaskErrorsTest {

    @Test
    void eachRuleGivesItsShortReason() {
        assertThat(SwarmTaskErrors.reason("No such image: local/doesnotexist:0.1")).isEqualTo("No such image");
        assertThat(SwarmTaskErrors.reason("no suitable node (scheduling constraints not satisfied on 1 node)"))
                .isEqualTo("no suitable node");
        assertThat(SwarmTaskErrors.reason("task: non-zero exit (3)")).isEqualTo("exit 3");
        assertThat(SwarmTaskErrors.reason("task: non-zero exit (137): dockerexec: unhealthy container")).isEqualTo("unhealthy");
        assertThat(SwarmTaskErrors.reason("starting container failed: failed to create shim task: OCI runtime create failed"))
                .isEqualTo("starting container failed");
    }

    @Test
    void anErrorNoRuleKnowsIsNamedByItsFirstClauseAndNoErrorByNothing() {
        // wordings no rule knows (made up for this test): the reason stays short and in Swarm's words
        assertThat(SwarmTaskErrors.reason("invalid mount config for type \"bind\": bind source path does not exist: /nope"))
                .isEqualTo("invalid mount config for type \"bind\"");
        assertThat(SwarmTaskErrors.reason("task: something else: details")).isEqualTo("something else");
        assertThat(SwarmTaskErrors.reason(null)).isEmpty();
        assertThat(SwarmTaskErrors.reason("")).isEmpty();
    }
}
