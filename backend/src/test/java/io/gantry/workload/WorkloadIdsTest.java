package io.gantry.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WorkloadIdsTest {
    /** Ids are stored and linked to (revisions, events, URLs): the faster derivation must give the very same ones. */
    @Test
    void sameIdsAsNameBasedUuidsOfEngineAndNativeId() {
        UUID engine = UUID.fromString("82ae79e7-1951-4704-a0eb-088d467b87cb");
        for (String nativeId : new String[] {"/ha/web", "default/Deployment/api", "svc-00042", "", "ünïcødé/✓"}) {
            UUID expected = UUID.nameUUIDFromBytes((engine + "/" + nativeId).getBytes(StandardCharsets.UTF_8));
            assertThat(WorkloadIds.of(engine, nativeId)).as(nativeId).isEqualTo(expected);
        }
        for (int i = 0; i < 1000; i++) {
            UUID e = UUID.randomUUID();
            assertThat(WorkloadIds.of(e, "w" + i)).isEqualTo(UUID.nameUUIDFromBytes((e + "/w" + i).getBytes(StandardCharsets.UTF_8)));
        }
    }
}
