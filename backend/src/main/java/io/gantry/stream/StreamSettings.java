package io.gantry.stream;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code gantry.streams.*}: limits of the live streams ({@code GET /api/v1/stream}).
 *
 * @param perUser       open live streams per user; the next one is a 429
 * @param total         open live streams of all users on this replica
 * @param bufferEvents  events waiting to be written to one subscriber (stream or log follow); one that falls
 *                      this far behind is dropped: its stream ends, the client reconnects and reads afresh
 * @param writerThreads threads writing to subscribers; a write stuck on a client that stopped reading holds
 *                      one of them (until the connection's write timeout), never the publisher
 */
@ConfigurationProperties("gantry.streams")
record StreamSettings(Integer perUser, Integer total, Integer bufferEvents, Integer writerThreads) {
    StreamSettings {
        perUser = positive(perUser, 8, "gantry.streams.per-user");
        total = positive(total, 1_000, "gantry.streams.total");
        bufferEvents = positive(bufferEvents, 256, "gantry.streams.buffer-events");
        writerThreads = positive(writerThreads, 16, "gantry.streams.writer-threads");
    }

    static int positive(Integer value, int fallback, String name) {
        if (value == null) {
            return fallback;
        }
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, not " + value);
        }
        return value;
    }
}
