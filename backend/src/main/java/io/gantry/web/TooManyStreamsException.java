package io.gantry.web;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;

/**
 * A new live stream or log follow past a limit; a 429 {@code too-many-streams} naming the {@code limit} and its {@code max}.
 *
 * @see io.gantry.stream.LiveStream
 */
public class TooManyStreamsException extends ProblemException {
    private final String limit;
    private final int max;

    /**
     * @param limit the setting that sets the limit reached ({@code gantry.streams.per-user}), named in the problem
     * @param max   its value
     */
    public TooManyStreamsException(String limit, int max, String detail) {
        super(ProblemType.TOO_MANY_STREAMS, detail, List.of(), Map.of("limit", limit, "max", max), HttpHeaders.EMPTY);
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
