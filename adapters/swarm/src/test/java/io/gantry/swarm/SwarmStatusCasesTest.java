package io.gantry.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.StatusCases;
import io.gantry.spi.Workload;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Swarm's status rule table ({@code testdata/fixtures/swarm/status-cases.tsv}) checked row by row through the
 * adapter's own reader: each row names a {@code GET /services} file and, in {@code select}, the service
 * ({@code Spec.Name}, or {@code -} for the file's only service) and optionally {@code tasks:FILE}, the
 * {@code GET /tasks} answer its tasks come from (default: {@code GET_tasks_<x>.json} beside
 * {@code GET_services_<x>.json}); node names come from the {@code GET_nodes.json} of the same capture.
 */
class SwarmStatusCasesTest {
    static Stream<StatusCases.Case> cases() {
        return table().cases().stream();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void eachRowGivesItsPhaseAndMessage(StatusCases.Case c) {
        StatusCases.check(c, workload(c).status());
    }

    @Test
    void everyServiceFileWithAStatusHasARow() {
        List<Path> inTable = table().cases().stream().map(c -> c.file().normalize()).toList();
        List<String> missing = SwarmFixtures.all().stream().filter(f -> f.matches("(.*/)?GET_services[^/]*\\.json"))
                .filter(f -> !inTable.contains(SwarmFixtures.dir().resolve(f).normalize())).toList();
        assertThat(missing).as("service fixtures without a row in status-cases.tsv").isEmpty();
    }

    private static StatusCases table() {
        return StatusCases.load(SwarmFixtures.dir().resolve("status-cases.tsv"));
    }

    private static Workload workload(StatusCases.Case c) {
        String name = c.select().replaceAll("\\s*tasks:\\S+", "").trim();
        String tasksFile = c.select().contains("tasks:") ? c.select().replaceAll(".*tasks:(\\S+).*", "$1")
                : SwarmFixtures.tasksFileOf(c.file().getFileName().toString());
        Path tasksPath = c.file().resolveSibling(tasksFile);
        assertThat(tasksPath).as("tasks of " + c).isRegularFile();
        List<JsonNode> services = SwarmFixtures.items(SwarmFixtures.json(c.file()));
        JsonNode service = name.isEmpty() ? services.stream().reduce((a, b) -> {
            throw new AssertionError(c + ": several services, select names none");
        }).orElseThrow() : services.stream().filter(s -> s.path("Spec").path("Name").asString().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError(c + ": no service named " + name));
        List<JsonNode> tasks = SwarmFixtures.items(SwarmFixtures.json(tasksPath)).stream()
                .filter(t -> t.path("ServiceID").asString().equals(service.path("ID").asString())).toList();
        return SwarmServiceReader.workload(service, tasks, SwarmFixtures.nodesBeside(c.file()));
    }
}
