package io.gantry.marathon;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Mesos' RecordIO framing of streamed calls and answers (Mesos docs, "RecordIO Data Format"):
 * {@code record = record-size LF record-data}, the size in decimal bytes. Proxies may split the stream anywhere,
 * so a record is read across as many reads as it takes.
 */
final class RecordIo {
    /** Far above any ProcessIO message Mesos sends (its chunks are a few KiB): a larger size is a broken stream. */
    static final int MAX_RECORD = 16 * 1024 * 1024;
    /** Digits of a size: a uint64 has at most 20. */
    private static final int MAX_SIZE_DIGITS = 20;

    private RecordIo() {
    }

    static byte[] encode(byte[] record) {
        byte[] size = (record.length + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[size.length + record.length];
        System.arraycopy(size, 0, out, 0, size.length);
        System.arraycopy(record, 0, out, size.length, record.length);
        return out;
    }

    /** Reads records one by one from a stream. Not thread-safe. */
    static final class Reader {
        private final InputStream in;

        Reader(InputStream in) {
            this.in = in;
        }

        /**
         * The next record, or {@code null} when the stream ended between records.
         *
         * @throws IOException when the stream breaks, ends inside a record, or is not RecordIO
         */
        byte[] next() throws IOException {
            ByteArrayOutputStream digits = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    if (digits.size() == 0) {
                        return null;
                    }
                    throw new EOFException("RecordIO stream ended inside a record size");
                }
                if (b < '0' || b > '9' || digits.size() == MAX_SIZE_DIGITS) {
                    throw new IOException("not a RecordIO stream: a record size holds '" + (char) b + "'");
                }
                digits.write(b);
            }
            if (digits.size() == 0) {
                throw new IOException("not a RecordIO stream: a record without a size");
            }
            long size = Long.parseLong(digits.toString(StandardCharsets.US_ASCII));
            if (size > MAX_RECORD) {
                throw new IOException("RecordIO record of " + size + " bytes is over the limit of " + MAX_RECORD);
            }
            byte[] record = new byte[(int) size];
            // never a read of 0 bytes past the record (readNBytes(int) does one): some chunked streams block on it
            int read = in.readNBytes(record, 0, record.length);
            if (read < size) {
                throw new EOFException("RecordIO stream ended inside a record (" + read + " of " + size + " bytes)");
            }
            return record;
        }
    }
}
