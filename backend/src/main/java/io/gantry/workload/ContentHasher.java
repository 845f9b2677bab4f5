package io.gantry.workload;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * SipHash-2-4 with a 64-bit result, fed piece by piece and reused for workload after workload: the content hash of
 * {@link WorkloadStore}. It gives the same value as Guava's {@code Hashing.sipHash24} for the same bytes (the hashes
 * stored before it stay valid), without the hasher, buffers and strings that one allocated for every workload of
 * every resync (a tenth of a no-change resync's garbage). Not thread-safe: one per thread.
 */
final class ContentHasher {
    private final long k0;
    private final long k1;
    private long v0;
    private long v1;
    private long v2;
    private long v3;
    /** Bytes not yet compressed, little-endian: {@code tailBytes} of them, fewer than 8. */
    private long tail;
    private int tailBytes;
    private long length;
    /** Where an instant's text is put together; an ISO instant of a year below 10000 has at most 30 chars. */
    private final byte[] instantText = new byte[30];

    ContentHasher(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
        reset();
    }

    /** Starts a new hash. */
    ContentHasher reset() {
        v0 = k0 ^ 0x736f6d6570736575L;
        v1 = k1 ^ 0x646f72616e646f6dL;
        v2 = k0 ^ 0x6c7967656e657261L;
        v3 = k1 ^ 0x7465646279746573L;
        tail = 0;
        tailBytes = 0;
        length = 0;
        return this;
    }

    ContentHasher putByte(int b) {
        tail |= (b & 0xffL) << (8 * tailBytes);
        length++;
        if (++tailBytes == 8) {
            compress(tail);
            tail = 0;
            tailBytes = 0;
        }
        return this;
    }

    ContentHasher putBytes(byte[] bytes, int offset, int count) {
        int i = offset;
        int end = offset + count;
        while (tailBytes != 0 && i < end) {
            putByte(bytes[i++]);
        }
        for (; i + 8 <= end; i += 8) {
            compress((bytes[i] & 0xffL) | (bytes[i + 1] & 0xffL) << 8 | (bytes[i + 2] & 0xffL) << 16
                    | (bytes[i + 3] & 0xffL) << 24 | (bytes[i + 4] & 0xffL) << 32 | (bytes[i + 5] & 0xffL) << 40
                    | (bytes[i + 6] & 0xffL) << 48 | (bytes[i + 7] & 0xffL) << 56);
            length += 8;
        }
        while (i < end) {
            putByte(bytes[i++]);
        }
        return this;
    }

    /** The string's UTF-8 bytes, as {@link String#getBytes} encodes it (copied only when it is not ASCII). */
    ContentHasher putString(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                return putBytes(utf8, 0, utf8.length);
            }
        }
        for (int i = 0; i < s.length(); i++) {
            putByte(s.charAt(i));
        }
        return this;
    }

    /** The instant's {@link Instant#toString()}, put together here for the years 0 to 9999. */
    ContentHasher putInstant(Instant instant) {
        int n = IsoInstant.write(instant, instantText);
        if (n < 0) {
            return putString(instant.toString());
        }
        return putBytes(instantText, 0, n);
    }

    long hash() {
        long last = (length & 0xffL) << 56 | tail;
        compress(last);
        v2 ^= 0xffL;
        for (int i = 0; i < 4; i++) {
            round();
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private void compress(long m) {
        v3 ^= m;
        round();
        round();
        v0 ^= m;
    }

    private void round() {
        v0 += v1;
        v1 = Long.rotateLeft(v1, 13);
        v1 ^= v0;
        v0 = Long.rotateLeft(v0, 32);
        v2 += v3;
        v3 = Long.rotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = Long.rotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = Long.rotateLeft(v1, 17);
        v1 ^= v2;
        v2 = Long.rotateLeft(v2, 32);
    }

    /** {@link Instant#toString()} (ISO-8601, UTC, the fraction in groups of three digits) written into bytes. */
    static final class IsoInstant {
        private IsoInstant() {
        }

        /** @return the number of bytes written, or -1 for a year outside 0 to 9999 (its text has a sign or 5 digits) */
        static int write(Instant instant, byte[] out) {
            long seconds = instant.getEpochSecond();
            long days = Math.floorDiv(seconds, 86_400);
            int secondOfDay = (int) Math.floorMod(seconds, 86_400);
            // days to a civil date (Howard Hinnant's algorithm, proleptic Gregorian like java.time)
            long z = days + 719_468;
            long era = Math.floorDiv(z, 146_097);
            long dayOfEra = z - era * 146_097;
            long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
            long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
            long mp = (5 * dayOfYear + 2) / 153;
            int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
            int month = (int) (mp < 10 ? mp + 3 : mp - 9);
            long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
            if (year < 0 || year > 9999) {
                return -1;
            }
            int i = digits(out, 0, (int) year, 4);
            out[i++] = '-';
            i = digits(out, i, month, 2);
            out[i++] = '-';
            i = digits(out, i, day, 2);
            out[i++] = 'T';
            i = digits(out, i, secondOfDay / 3600, 2);
            out[i++] = ':';
            i = digits(out, i, secondOfDay / 60 % 60, 2);
            out[i++] = ':';
            i = digits(out, i, secondOfDay % 60, 2);
            int nanos = instant.getNano();
            if (nanos != 0) {
                out[i++] = '.';
                if (nanos % 1_000_000 == 0) {
                    i = digits(out, i, nanos / 1_000_000, 3);
                } else if (nanos % 1000 == 0) {
                    i = digits(out, i, nanos / 1000, 6);
                } else {
                    i = digits(out, i, nanos, 9);
                }
            }
            out[i++] = 'Z';
            return i;
        }

        private static int digits(byte[] out, int at, int value, int width) {
            for (int i = at + width - 1; i >= at; i--) {
                out[i] = (byte) ('0' + value % 10);
                value /= 10;
            }
            return at + width;
        }
    }
}
