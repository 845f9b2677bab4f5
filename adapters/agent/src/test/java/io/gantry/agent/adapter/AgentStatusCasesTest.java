package io.gantry.agent.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.gantry.agent.api.v1.Container;
import io.gantry.agent.api.v1.Task;
import io.gantry.spi.StatusCases;
import io.gantry.spi.Workload;
import io.gantry.spi.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * The agent's status rule table ({@code testdata/fixtures/agent/status-cases.tsv}): each row's object, a container
 * and its tasks as the real daemon reported them (captured by {@link AgentStatusCasesIT}), mapped through
 * {@link AgentWorkloadMapper} to the phase and message the row expects.
 */
class AgentStatusCasesTest {

    static Path table() {
        String root = System.getProperty("gantry.fixtures");
        if (root == null) {
            throw new AssertionError("system property gantry.fixtures is not set (the parent pom sets it)");
        }
        return Path.of(root, "agent", "status-cases.tsv");
    }

    static Stream<StatusCases.Case> cases() {
        return StatusCases.load(table()).cases().stream();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void eachRowMapsToItsPhaseAndMessage(StatusCases.Case c) {
        StatusCases.check(c, read(c.file()).status());
    }

    @Test
    void everyFixtureHasARow() throws IOException {
        List<Path> covered = cases().map(StatusCases.Case::file).toList();
        try (Stream<Path> files = Files.list(table().getParent())) {
            assertThat(files.filter(f -> f.toString().endsWith(".json")))
                    .allSatisfy(f -> assertThat(covered).as("a row for " + f.getFileName()).contains(f));
        }
    }

    /** A fixture: the workload's native object as the adapter prints it, {@code {"container": ..., "tasks": [...]}}. */
    static Workload read(Path file) {
        try {
            JsonNode root = Json.parse(Files.readString(file));
            Container.Builder container = Container.newBuilder();
            JsonFormat.parser().merge(Json.object(root, "container").toString(), container);
            List<Task> tasks = new ArrayList<>();
            for (JsonNode t : Json.array(root, "tasks")) {
                Task.Builder task = Task.newBuilder();
                JsonFormat.parser().merge(t.toString(), task);
                tasks.add(task.build());
            }
            return AgentWorkloadMapper.toWorkload(container.build(), tasks, "node-1");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
