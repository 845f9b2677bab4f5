package io.gantry.workload;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/** A workload's id is derived, never stored state: the same engine and native id always give the same UUID. */
public final class WorkloadIds {
    /**
     * {@link UUID#nameUUIDFromBytes}'s MD5, kept per thread: that method looks the algorithm up on every call, which
     * was a tenth of what a resync that finds nothing changed cost per workload.
     */
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
    });

    private WorkloadIds() {
    }

    /** The same UUID as {@code UUID.nameUUIDFromBytes((engineId + "/" + nativeId) in UTF-8)}: version 3, IETF variant. */
    public static UUID of(UUID engineId, String nativeId) {
        byte[] md5 = MD5.get().digest((engineId + "/" + nativeId).getBytes(StandardCharsets.UTF_8));
        md5[6] = (byte) ((md5[6] & 0x0f) | 0x30);
        md5[8] = (byte) ((md5[8] & 0x3f) | 0x80);
        long most = 0;
        long least = 0;
        for (int i = 0; i < 8; i++) {
            most = (most << 8) | (md5[i] & 0xff);
            least = (least << 8) | (md5[8 + i] & 0xff);
        }
        return new UUID(most, least);
    }
}
