package io.gantry.spi;

/** Receives followed log lines. {@link #onEnd} is called once, with {@code null} on a normal end. */
public interface LogSink {
    void onLine(LogLine line);

    void onEnd(Throwable failure);
}
