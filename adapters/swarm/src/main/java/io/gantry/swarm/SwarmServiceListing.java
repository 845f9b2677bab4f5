package io.gantry.swarm;

import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadSink;
import io.gantry.spi.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;

/**
 * Every service with its tasks, read from {@code GET /tasks} and {@code GET /services?status=true} with Jackson's
 * streaming parser and handed over in batches as services are parsed, so that a big swarm is listed without its
 * whole answer in memory as bytes and a tree, and the caller sees progress. The tasks are read first and held by
 * service (the join needs them before the first service); while they are read, an empty batch every half call
 * timeout tells the caller the engine is still answering.
 */
final class SwarmServiceListing {
    static final int BATCH_SIZE = 500;
    // one element of an array at a time: what follows it is the next element, not trailing garbage
    private static final ObjectReader ELEMENT = Json.MAPPER.readerFor(JsonNode.class)
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final DockerApi api;
    private final SwarmSettings settings;
    private final int batchSize;
    private final long handoverNanos;

    SwarmServiceListing(DockerApi api, SwarmSettings settings, int batchSize) {
        this.api = api;
        this.settings = settings;
        this.batchSize = batchSize;
        this.handoverNanos = api.callTimeout().toNanos() / 2;
    }

    void list(Map<String, SwarmServiceReader.NodeRef> nodes, SwarmConfigIndex configs, WorkloadSink sink) {
        Handover handover = new Handover(sink);
        Map<String, List<JsonNode>> tasksByService = new HashMap<>();
        api.readStreaming("/tasks", (body, deadline) -> eachElement(body, task -> {
            tasksByService.computeIfAbsent(Json.text(task, "ServiceID", ""), k -> new ArrayList<>()).add(task);
            handover.ifDue(deadline);
        }));
        api.readStreaming("/services?status=true", (body, deadline) -> eachElement(body, service -> {
            if (settings.shows(SwarmServiceReader.namespace(service))) {
                handover.batch.add(SwarmServiceReader.workload(service,
                        tasksByService.getOrDefault(SwarmServiceReader.serviceId(service), List.of()), nodes, configs));
            }
            handover.ifDue(deadline);
        }));
        if (!handover.batch.isEmpty()) {
            handover.hand(null);
        }
    }

    /** The batch being filled, handed over when full or when half a call timeout passed since the last one. */
    private final class Handover {
        private final WorkloadSink sink;
        private final List<Workload> batch = new ArrayList<>();
        private long lastNanos = System.nanoTime();

        private Handover(WorkloadSink sink) {
            this.sink = sink;
        }

        void ifDue(DockerIdleDeadline deadline) {
            if (batch.size() >= batchSize || System.nanoTime() - lastNanos >= handoverNanos) {
                hand(deadline);
            }
        }

        void hand(DockerIdleDeadline deadline) {
            List<Workload> out = List.copyOf(batch);
            batch.clear();
            if (deadline != null) {
                deadline.pause();
            }
            try {
                sink.accept(out);
            } finally {
                if (deadline != null) {
                    deadline.resume();
                }
                lastNanos = System.nanoTime();
            }
        }
    }

    /** Each element of the JSON array {@code body}, parsed one at a time. */
    private static void eachElement(InputStream body, Consumer<JsonNode> each) throws IOException {
        // the parser must not close the body: closing a chunked body reads it to its end, which on a failure would
        // wait for the rest of a big answer; the caller aborts the exchange instead
        try (JsonParser parser = ELEMENT.without(StreamReadFeature.AUTO_CLOSE_SOURCE).createParser(body)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException("the answer is not a JSON array");
            }
            while (parser.nextToken() == JsonToken.START_OBJECT) {
                each.accept(ELEMENT.readValue(parser));
            }
            if (parser.currentToken() != JsonToken.END_ARRAY) {
                throw new IOException("the array holds something other than objects");
            }
        }
    }
}
