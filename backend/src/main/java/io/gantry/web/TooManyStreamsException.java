package io.gantry.web;

/**
 * A new live stream or log follow past a limit; mapped to 429 {@code too-many-streams}.
 *
 * @see io.gantry.stream.LiveStream
 */
public class TooManyStreamsException extends RuntimeException {
    private final String limit;
    private final int max;

    /**
     * @param limit the setting that sets the limit reached ({@code gantry.streams.per-user}), named in the problem
     * @param max   its value
     */
    public TooManyStreamsException(String limit, int max, String detail) {
        super(detail);
        this.limit = limit;
        this.max = max;
    }

    public String limit() {
        return limit;
    }

    public int max() {
        return max;
    }
}
