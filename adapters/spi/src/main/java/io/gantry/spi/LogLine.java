package io.gantry.spi;

import java.time.Instant;

/**
 * One line of a workload's output.
 *
 * @param time     when it was written, or {@code null} when the engine does not say
 * @param instance id of the instance that wrote it
 * @param stream   {@code stdout} or {@code stderr}
 * @param text     the line, without its trailing newline
 */
public record LogLine(Instant time, String instance, String stream, String text) {
}
