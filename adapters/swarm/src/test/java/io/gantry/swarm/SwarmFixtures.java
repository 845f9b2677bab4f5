package io.gantry.swarm;

import io.gantry.spi.json.Json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        return json(dir().resolve(relative));
    }

    static JsonNode json(Path file) {
        try {
            return Json.MAPPER.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code GET_tasks_<x>.json}, the tasks captured with {@code GET_services_<x>.json}. */
    static String tasksFileOf(String servicesFile) {
        return servicesFile.replaceFirst("^GET_services_", "GET_tasks_");
    }

    /** {@code GET_services_<x>.json}, the services captured with {@code GET_tasks_<x>.json}. */
    static String servicesFileOf(String tasksFile) {
        return tasksFile.replaceFirst("^GET_tasks_", "GET_services_");
    }

    /** The nodes of the capture {@code file} belongs to: the {@code GET_nodes.json} beside it, else the first capture's. */
    static Map<String, SwarmServiceReader.NodeRef> nodesBeside(Path file) {
        Path beside = file.resolveSibling("GET_nodes.json");
        return SwarmServiceReader.nodeIndex(json(Files.isRegularFile(beside) ? beside : dir().resolve(REAL + "/GET_nodes.json")));
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
