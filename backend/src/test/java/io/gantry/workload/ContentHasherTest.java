package io.gantry.workload;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ContentHasherTest {

    @Test
    void givesTheSipHashPapersValue() {
        // SipHash-2-4, key 00 01 .. 0f, message 00 01 .. 0e: 0xa129ca6149be45e5 (Aumasson and Bernstein, appendix A)
        long k0 = 0x0706050403020100L;
        long k1 = 0x0f0e0d0c0b0a0908L;
        byte[] message = new byte[15];
        for (int i = 0; i < message.length; i++) {
            message[i] = (byte) i;
        }
        assertThat(new ContentHasher(k0, k1).putBytes(message, 0, message.length).hash())
                .isEqualTo(0xa129ca6149be45e5L);
    }

    /**
     * The hashes rows hold were made with Guava's: the same pieces must give the same value, or every row is written
     * again.
     */
    @Test
    void givesGuavasSipHashForTheSamePieces() {
        SplittableRandom random = new SplittableRandom(22);
        for (int round = 0; round < 2_000; round++) {
            long k0 = random.nextLong();
            long k1 = random.nextLong();
            ContentHasher ours = new ContentHasher(k0, k1);
            if (round % 2 == 1) {
                // a hasher is reused: what the previous workload left must not matter
                ours.putString("left over").reset();
            }
            Hasher guava = Hashing.sipHash24(k0, k1).newHasher();
            int pieces = random.nextInt(12);
            for (int p = 0; p < pieces; p++) {
                switch (random.nextInt(4)) {
                    case 0 -> {
                        int b = random.nextInt(256);
                        ours.putByte(b);
                        guava.putByte((byte) b);
                    }
                    case 1 -> {
                        byte[] bytes = new byte[random.nextInt(40)];
                        random.nextBytes(bytes);
                        int offset = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
                        int count = random.nextInt(bytes.length - offset + 1);
                        ours.putBytes(bytes, offset, count);
                        guava.putBytes(bytes, offset, count);
                    }
                    case 2 -> {
                        String s = text(random);
                        ours.putString(s);
                        guava.putString(s, StandardCharsets.UTF_8);
                    }
                    default -> {
                        Instant instant = Instant.ofEpochSecond(random.nextLong(-70_000_000_000L, 260_000_000_000L),
                                random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000));
                        ours.putInstant(instant);
                        guava.putString(instant.toString(), StandardCharsets.UTF_8);
                    }
                }
            }
            assertThat(ours.hash()).as("round %d", round).isEqualTo(guava.hash().asLong());
        }
    }

    @Test
    void writesAnInstantAsItsToStringDoesForTheYearsZeroTo9999() {
        SplittableRandom random = new SplittableRandom(7);
        byte[] out = new byte[30];
        Instant[] edges = {Instant.EPOCH, Instant.parse("0000-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("2024-02-29T12:00:00.100Z"),
                Instant.parse("1969-12-31T23:59:59.000001Z"), Instant.parse("2000-03-01T00:00:00.000000010Z")};
        for (Instant instant : edges) {
            int n = ContentHasher.IsoInstant.write(instant, out);
            assertThat(new String(out, 0, n, StandardCharsets.US_ASCII)).isEqualTo(instant.toString());
        }
        for (int i = 0; i < 100_000; i++) {
            int[] nanos = {0, random.nextInt(1000) * 1_000_000, random.nextInt(1_000_000) * 1000,
                    random.nextInt(1_000_000_000)};
            Instant instant = Instant.ofEpochSecond(random.nextLong(-62_167_219_200L, 253_402_300_800L), nanos[i % 4]);
            int n = ContentHasher.IsoInstant.write(instant, out);
            assertThat(new String(out, 0, n, StandardCharsets.US_ASCII)).isEqualTo(instant.toString());
        }
        assertThat(ContentHasher.IsoInstant.write(Instant.parse("+10000-01-01T00:00:00Z"), out)).isEqualTo(-1);
        assertThat(ContentHasher.IsoInstant.write(Instant.parse("-0001-12-31T23:59:59Z"), out)).isEqualTo(-1);
    }

    /** ASCII, accents, CJK, surrogate pairs, and now and then an unpaired surrogate (which UTF-8 writes as '?'). */
    private static String text(SplittableRandom random) {
        StringBuilder s = new StringBuilder();
        int length = random.nextInt(30);
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(10)) {
                case 0 -> s.append((char) (0x80 + random.nextInt(0x780)));
                case 1 -> s.append((char) (0x4e00 + random.nextInt(0x5000)));
                case 2 -> s.appendCodePoint(0x1f600 + random.nextInt(80));
                case 3 -> s.append((char) (0xd800 + random.nextInt(0x800)));
                default -> s.append((char) (0x20 + random.nextInt(0x5f)));
            }
        }
        return s.toString();
    }
}
