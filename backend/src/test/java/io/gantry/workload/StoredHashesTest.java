package io.gantry.workload;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.HashCode;
import org.junit.jupiter.api.Test;

class StoredHashesTest {
    /** A hash as a row holds it. */
    private static String hex(long value) {
        return HashCode.fromLong(value).toString();
    }

    @Test
    void holdsExactlyTheHashStoredForEachIdAcrossGrowth() {
        StoredHashes stored = new StoredHashes();
        for (int i = 0; i < 50_000; i++) {
            stored.put("ns-" + (i % 20) + "/svc-" + i, hex(i * 31L + 7));
        }
        assertThat(stored.size()).isEqualTo(50_000);
        for (int i = 0; i < 50_000; i++) {
            String id = "ns-" + (i % 20) + "/svc-" + i;
            assertThat(stored.holds(id, i * 31L + 7)).as(id).isTrue();
            assertThat(stored.holds(id, i * 31L + 8)).as(id + " changed").isFalse();
        }
        assertThat(stored.holds("ns-0/svc-50000", 50_000 * 31L + 7)).as("not stored: new").isFalse();
    }

    @Test
    void aHashAsWrittenBeforeSipHashIsReadAndDiffersFromAnyNewOne() {
        StoredHashes stored = new StoredHashes();
        // a SHA-256 hex, as rows written before the keyed SipHash hold: read, and then found changed
        stored.put("web", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
        assertThat(stored.holds("web", 0x9f86d081884c7d65L)).isFalse();
        stored.put("web", hex(42));
        assertThat(stored.holds("web", 42)).as("a later put replaces").isTrue();
        assertThat(stored.size()).isEqualTo(1);
    }

    @Test
    void aStoredHashThatIsNotOneIsLeftOutSoItsWorkloadIsWrittenAgain() {
        StoredHashes stored = new StoredHashes();
        for (String notAHash : new String[] {"", "abc", "not hex!", "00"}) {
            stored.put("web", notAHash);
        }
        assertThat(stored.size()).isZero();
        assertThat(stored.holds("web", 0)).isFalse();
    }

    @Test
    void idsWhoseKeysCollideCostAWriteNeverAMissedChange() {
        StoredHashes stored = new StoredHashes(id -> 7);
        stored.put("a", hex(1));
        stored.put("b", hex(2));
        // b took a's slot: a reads as changed (written again), b as it is; neither passes for unchanged wrongly
        assertThat(stored.holds("a", 1)).isFalse();
        assertThat(stored.holds("b", 2)).isTrue();
        assertThat(stored.holds("a", 3)).isFalse();
        assertThat(StoredHashes.keyOf("")).isNotZero();
    }
}
