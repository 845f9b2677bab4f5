package io.gantry.marathon;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadSink;
import io.gantry.spi.json.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;

/**
 * Reads the answer of {@code GET /v2/apps} (with {@link MarathonAppReader#APP_EMBEDS}) as it arrives, one app object
 * at a time, and hands the mapped apps to a {@link WorkloadSink} in batches (issue 22: a Marathon of 100,000 apps
 * answers about 200 MB, which was read whole and timed out as a whole). Holds one app's tree and one batch at a time.
 */
final class MarathonAppListing {
    /** Apps per batch: big enough that the sink's work per batch pays, small enough to stay a few MB. */
    static final int BATCH = 500;
    /** One app at a time out of the list: the tokens after an app are the list's, not trailing garbage. */
    private static final ObjectReader APPS = Json.MAPPER.reader()
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final WorkloadSink sink;
    private final MarathonProgress progress;
    private final Integer nodeCount;
    /** The port asks for a batch at least every half call timeout while the listing makes progress. */
    private final long flushEveryNanos;
    private List<Workload> batch = new ArrayList<>(BATCH);
    private long lastFlush = System.nanoTime();

    private MarathonAppListing(WorkloadSink sink, MarathonProgress progress, Integer nodeCount, Duration callTimeout) {
        this.sink = sink;
        this.progress = progress;
        this.nodeCount = nodeCount;
        this.flushEveryNanos = callTimeout.toNanos() / 2;
    }

    /**
     * Reads {@code answer} to its end (or to the sink's exception) and closes it.
     *
     * @throws EngineUnavailableException when Marathon refused the listing, the body went silent for the call timeout
     *                                    or broke off, or is not JSON (its text is never quoted)
     */
    static void read(MarathonHttp marathon, String pathAndQuery, MarathonHttp.Streamed answer, MarathonProgress progress,
                     Integer nodeCount, Duration callTimeout, WorkloadSink sink) {
        try (answer) {
            if (!answer.ok()) {
                MarathonAnswers.expectOk(answer.read(), "apps", null);
                throw new EngineUnavailableException("Marathon answered HTTP " + answer.status() + " for apps");
            }
            new MarathonAppListing(sink, progress, nodeCount, callTimeout).parse(answer);
        } catch (JacksonIOException e) {
            throw marathon.broken(pathAndQuery, e.getCause());
        } catch (JacksonException e) {
            // the parser's message quotes the body: not passed on
            throw new EngineUnavailableException(answer.endpoint() + " answered apps with a body that is not JSON");
        } catch (IOException e) {
            throw marathon.broken(pathAndQuery, e);
        } catch (SinkFailed e) {
            throw e.getCause();
        }
    }

    /** {@code {"apps": [app, ...]}}; other fields Marathon may add beside {@code apps} are skipped. */
    private void parse(MarathonHttp.Streamed answer) {
        try (JsonParser parser = APPS.createParser(answer.body())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new EngineUnavailableException(answer.endpoint() + " answered apps with a body that is not an "
                        + "object");
            }
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("apps") && value == JsonToken.START_ARRAY) {
                    while (parser.nextToken() == JsonToken.START_OBJECT) {
                        add(APPS.readTree(parser));
                    }
                } else {
                    parser.skipChildren();
                }
            }
        }
        flush();
    }

    private void add(JsonNode app) {
        batch.add(MarathonAppReader.app(app, progress, nodeCount));
        if (batch.size() >= BATCH || System.nanoTime() - lastFlush >= flushEveryNanos) {
            flush();
        }
    }

    private void flush() {
        lastFlush = System.nanoTime();
        if (batch.isEmpty()) {
            return;
        }
        List<Workload> full = batch;
        batch = new ArrayList<>(BATCH);
        try {
            sink.accept(full);
        } catch (RuntimeException e) {
            throw new SinkFailed(e);
        }
    }

    /** Carries the sink's own exception past the parser's handlers, to be rethrown as it was. */
    private static final class SinkFailed extends RuntimeException {
        SinkFailed(RuntimeException cause) {
            super(null, cause, false, false);
        }

        @Override
        public synchronized RuntimeException getCause() {
            return (RuntimeException) super.getCause();
        }
    }
}
