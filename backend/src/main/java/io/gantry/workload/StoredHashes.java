package io.gantry.workload;

import com.google.common.hash.HashCode;
import java.util.function.ToLongFunction;

/**
 * The content hashes stored for an engine's workloads, by native id: what a sync compares a listed workload with to
 * know it unchanged. Two arrays, no object per workload: a full listing holds the engine's for as long as it runs,
 * and a map of strings (3 MB for 20,000 workloads) outlived enough young collections to be promoted, which in the
 * server's small heap made a full collection of most resyncs.
 *
 * <p>A native id is found by a 64-bit hash of it (open addressing). Two ids with the same one share a slot: the one
 * whose hash is not the slot's is then taken as changed and written again, so a collision costs a write, never a
 * missed change. A stale workload is not put here: it is written again whatever its hash.
 */
public final class StoredHashes {
    private static final long EMPTY = 0;
    private final ToLongFunction<String> keyOf;
    private long[] keys;
    private long[] hashes;
    private int size;

    StoredHashes() {
        this(StoredHashes::keyOf);
    }

    /** With another hash of native ids (never {@link #EMPTY}): the tests' colliding one. */
    StoredHashes(ToLongFunction<String> keyOf) {
        this.keyOf = keyOf;
        keys = new long[1024];
        hashes = new long[1024];
    }

    /**
     * @param hexHash the stored hash as written ({@link HashCode#toString()}); one that is not (a row written by
     *                hand) is left out, so its workload is written again rather than the sync failing
     */
    void put(String nativeId, String hexHash) {
        long hash;
        try {
            hash = HashCode.fromString(hexHash).asLong();
        } catch (IllegalArgumentException | IllegalStateException notAHash) {
            return;
        }
        if (2 * (size + 1) > keys.length) {
            grow();
        }
        if (insert(keyOf.applyAsLong(nativeId), hash)) {
            size++;
        }
    }

    /** Whether the workload's stored hash is {@code hash}: then it is unchanged. */
    boolean holds(String nativeId, long hash) {
        long key = keyOf.applyAsLong(nativeId);
        int mask = keys.length - 1;
        for (int i = slot(key, mask); keys[i] != EMPTY; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return hashes[i] == hash;
            }
        }
        return false;
    }

    int size() {
        return size;
    }

    private boolean insert(long key, long hash) {
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (keys[i] != EMPTY && keys[i] != key) {
            i = (i + 1) & mask;
        }
        boolean added = keys[i] == EMPTY;
        keys[i] = key;
        hashes[i] = hash;
        return added;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldHashes = hashes;
        keys = new long[oldKeys.length * 2];
        hashes = new long[oldKeys.length * 2];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                insert(oldKeys[i], oldHashes[i]);
            }
        }
    }

    private static int slot(long key, int mask) {
        return (int) (key ^ (key >>> 32)) & mask;
    }

    /** FNV-1a over the id's chars, then mixed (MurmurHash3's finalizer) so that the low bits pick slots well; never EMPTY. */
    static long keyOf(String nativeId) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < nativeId.length(); i++) {
            h = (h ^ nativeId.charAt(i)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb93fe1a85ec3L;
        h ^= h >>> 33;
        return h == EMPTY ? 1 : h;
    }
}
