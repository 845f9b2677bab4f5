package io.gantry.marathon;

import io.gantry.spi.StatusCases;
import io.gantry.spi.WorkloadStatus;
import io.gantry.spi.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Marathon's status rule table ({@code testdata/fixtures/marathon/status-cases.tsv}): every row's real object
 * through the adapter's own readers. A row's {@code select} is {@code <app|pod> <JSON pointer>} optionally
 * followed by {@code deployments=<file>} and {@code queue=<file>}, the {@code GET /v2/deployments} and
 * {@code GET /v2/queue} bodies the object is judged with.
 */
class MarathonStatusCasesTest {
    static final Path TABLE = MarathonTestServer.fixtures().resolve("status-cases.tsv");

    static List<StatusCases.Case> cases() {
        return StatusCases.load(TABLE).cases();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void rowHolds(StatusCases.Case c) {
        StatusCases.check(c, status(c));
    }

    static WorkloadStatus status(StatusCases.Case c) {
        String[] words = c.select().split("\\s+");
        JsonNode deployments = null;
        JsonNode queue = null;
        for (int i = 2; i < words.length; i++) {
            String[] kv = words[i].split("=", 2);
            JsonNode body = read(TABLE.resolveSibling(kv[1]));
            switch (kv[0]) {
                case "deployments" -> deployments = body;
                case "queue" -> queue = body;
                default -> throw new IllegalArgumentException("line " + c.line() + ": unknown select part " + words[i]);
            }
        }
        JsonNode object = read(c.file()).at(words[1].equals("/") ? "" : words[1]);
        MarathonProgress progress = MarathonProgress.of(deployments, queue);
        return switch (words[0]) {
            case "app" -> MarathonAppReader.app(object, progress, null).status();
            case "pod" -> MarathonPodReader.pod(object, progress).status();
            default -> throw new IllegalArgumentException("line " + c.line() + ": app or pod expected, not " + words[0]);
        };
    }

    /** Every file a row reads: the object's and those of its select (for the fixtures-read check). */
    static List<Path> files() {
        List<Path> out = new ArrayList<>();
        for (StatusCases.Case c : cases()) {
            out.add(c.file());
            String[] words = c.select().split("\\s+");
            for (int i = 2; i < words.length; i++) {
                out.add(TABLE.resolveSibling(words[i].split("=", 2)[1]));
            }
        }
        return out;
    }

    private static JsonNode read(Path file) {
        try {
            return Json.parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
