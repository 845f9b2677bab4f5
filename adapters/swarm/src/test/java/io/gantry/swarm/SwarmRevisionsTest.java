package io.gantry.swarm;

import static io.gantry.swarm.SwarmFixtures.REAL;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.EngineRevision;
import io.gantry.spi.WorkloadSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Swarm's own history (Spec and PreviousSpec) read from services captured on a real dockerd 20.10.24. */
class SwarmRevisionsTest {

    @Test
    void specAndPreviousSpecAreTheCurrentAndThePreviousRevisionNewestFirst() {
        JsonNode web = SwarmFixtures.json(REAL + "/GET_services_web.json");
        List<EngineRevision> revisions = SwarmRevisions.of(web, SwarmConfigIndex.EMPTY);

        assertThat(revisions).extracting(EngineRevision::id).containsExactly("current", "previous");
        EngineRevision current = revisions.get(0);
        assertThat(current.current()).isTrue();
        assertThat(current.createdAt()).isEqualTo(Instant.parse("2026-11-28T12:37:30.919404707Z"));
        assertThat(current.spec()).isEqualTo(SwarmServiceReader.spec(web, SwarmConfigIndex.EMPTY));
        assertThat(current.spec().env()).containsExactlyInAnyOrderEntriesOf(Map.of("MODE", "prod", "VERSION", "2"));
        assertThat(current.message()).isEqualTo("Swarm's Spec (version 110): update completed");

        EngineRevision previous = revisions.get(1);
        assertThat(previous.current()).isFalse();
        assertThat(previous.createdAt()).as("Swarm keeps no time for PreviousSpec").isNull();
        assertThat(previous.message()).isEqualTo("Swarm's PreviousSpec");
        assertThat(previous.spec().env()).containsExactly(Map.entry("MODE", "prod"));
        // only the env differs: the rest is read by the same reader from PreviousSpec
        assertThat(previous.spec()).isEqualTo(withEnv(current.spec(), Map.of("MODE", "prod")));
    }

    @Test
    void afterARequestedRollbackTheSpecsHaveSwapped() {
        JsonNode service = SwarmFixtures.items(SwarmFixtures.json(REAL + "/status/GET_services_rollback_requested.json")).get(0);
        List<EngineRevision> revisions = SwarmRevisions.of(service, SwarmConfigIndex.EMPTY);

        assertThat(revisions).extracting(r -> r.spec().env()).containsExactly(Map.of("A", "1", "B", "2"),
                Map.of("A", "1", "B", "2", "C", "3"));
        assertThat(revisions.get(0).message()).isEqualTo("Swarm's Spec (version 3695): rollback completed");
    }

    @Test
    void aServiceNeverChangedHasOnlyItsCurrentSpec() {
        JsonNode crasher = SwarmFixtures.json(REAL + "/GET_services_crasher.json");
        assertThat(SwarmRevisions.of(crasher, SwarmConfigIndex.EMPTY)).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo("current");
            assertThat(r.current()).isTrue();
            assertThat(r.spec()).isEqualTo(SwarmServiceReader.spec(crasher, SwarmConfigIndex.EMPTY));
        });
    }

    @Test
    void aPreviousSpecTheModelCannotTellFromTheCurrentOneIsLeftOut() {
        JsonNode web = SwarmFixtures.json(REAL + "/GET_services_web.json").deepCopy();
        ((ObjectNode) web).set("PreviousSpec", web.path("Spec").deepCopy());
        ((ObjectNode) web.path("PreviousSpec").path("TaskTemplate")).put("ForceUpdate", 1);
        assertThat(SwarmRevisions.of(web, SwarmConfigIndex.EMPTY)).extracting(EngineRevision::id).containsExactly("current");
    }

    @Test
    void swarmsOwnRollbackOnlyForPreviousWhileItStillHoldsTheAskedSpec() {
        JsonNode web = SwarmFixtures.json(REAL + "/GET_services_web.json");
        WorkloadSpec previous = SwarmRevisions.of(web, SwarmConfigIndex.EMPTY).get(1).spec();

        assertThat(SwarmRevisions.rollsBackTo(web, previous, "previous", SwarmConfigIndex.EMPTY)).isTrue();
        assertThat(SwarmRevisions.rollsBackTo(web, previous, "current", SwarmConfigIndex.EMPTY)).as("another handle: an update").isFalse();
        assertThat(SwarmRevisions.rollsBackTo(web, previous, null, SwarmConfigIndex.EMPTY)).isFalse();
        assertThat(SwarmRevisions.rollsBackTo(web, withEnv(previous, Map.of("MODE", "dev")), "previous", SwarmConfigIndex.EMPTY))
                .as("PreviousSpec moved on since Gantry recorded it").isFalse();
        assertThat(SwarmRevisions.rollsBackTo(SwarmFixtures.json(REAL + "/GET_services_crasher.json"), previous, "previous", SwarmConfigIndex.EMPTY))
                .as("no PreviousSpec").isFalse();
    }

    private static WorkloadSpec withEnv(WorkloadSpec s, Map<String, String> env) {
        return new WorkloadSpec(s.image(), s.command(), s.args(), env, s.ports(), s.resources(), s.replicas(),
                s.healthCheck(), s.constraints(), s.runtime());
    }
}
