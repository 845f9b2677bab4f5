package io.gantry.swarm;

import io.gantry.spi.json.Json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/** The Swarm fixtures ({@code testdata/fixtures/swarm}, passed as {@code gantry.fixtures}); a missing directory fails the test, never skips it. */
final class SwarmFixtures {
    static final String REAL = "real-dockerd-20.10.24";
    static final String SPEC = "spec-examples";

    private SwarmFixtures() {
    }

    static Path dir() {
        String root = System.getProperty("gantry.fixtures");
        assertThat(root).as("system property gantry.fixtures (set by the parent pom)").isNotNull();
        Path dir = Path.of(root, "swarm");
        assertThat(dir).as("Swarm fixtures directory").isDirectory();
        return dir;
    }

    /** Every fixture file, as a path relative to the Swarm fixtures directory ({@code real-dockerd-20.10.24/GET_nodes.json}). */
    static List<String> all() {
        Path dir = dir();
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same JSON reader the adapter uses for dockerd's answers. */
    static JsonNode json(String relative) {
        try {
            return Json.MAPPER.readTree(Files.readAllBytes(dir().resolve(relative)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> lines(String relative) {
        try {
            return Files.readAllLines(dir().resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A {@code GET /services} or {@code GET /tasks} answer as a list; a single object as a list of one. */
    static List<JsonNode> items(JsonNode node) {
        List<JsonNode> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(out::add);
        } else {
            out.add(node);
        }
        return out;
    }
}
