package io.gantry.swarm;

import io.gantry.spi.json.Json;
import static io.gantry.swarm.SwarmFixtures.REAL;
import static io.gantry.swarm.SwarmFixtures.SPEC;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.EngineInfo;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.HealthCheck;
import io.gantry.spi.Instance;
import io.gantry.spi.InstanceState;
import io.gantry.spi.Node;
import io.gantry.spi.Phase;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Maps every service, task and node payload in {@code testdata/fixtures/swarm} through the adapter's own JSON
 * reader and mapper. Captured payloads from a real dockerd 20.10.24 carry the field-level assertions.
 */
class SwarmFixtureMappingTest {
    private static final Pattern SERVICE_FILES = Pattern.compile(".*/GET_services.*\\.json");
    private static final Pattern TASK_FILES = Pattern.compile(".*/GET_tasks.*\\.json");
    private static final Pattern NODE_FILES = Pattern.compile(".*/(GET_nodes.*|NodeSpec\\.example)\\.json");
    private static final Pattern ERROR_FILES = Pattern.compile(".*/(ERR_.*|ErrorResponse\\.example)\\.json");
    private static final Pattern INFO_FILES = Pattern.compile(".*/GET_info.*\\.json");
    private static final Pattern EVENT_FILES = Pattern.compile(".*/GET_events.*\\.jsonl");
    /** Files that hold no service, task, node, event, error or info payload, each named on purpose. */
    private static final List<String> NOT_MAPPED = List.of("SOURCES.md", "status-cases.tsv" /* SwarmStatusCasesTest */,
            "docker-engine-api-v1.41.yaml",
            "docker-engine-api-v1.45.yaml", REAL + "/GET_swarm.json", REAL + "/GET_version.json",
            REAL + "/_response-headers-sample.txt", SPEC + "/GET_swarm_Swarm.composed-from-field-examples.json",
            SPEC + "/POST_services_create_201.example.json");

    private final SwarmServiceWriter writer = new SwarmServiceWriter(SwarmServiceWriter.PUBLISH_MODE_INGRESS);

    @Test
    void everyFixtureFileIsMappedByOneOfTheseTests() {
        List<Pattern> mapped = List.of(SERVICE_FILES, TASK_FILES, NODE_FILES, ERROR_FILES, INFO_FILES, EVENT_FILES);
        List<String> unknown = new ArrayList<>();
        for (String file : SwarmFixtures.all()) {
            if (!NOT_MAPPED.contains(file) && mapped.stream().noneMatch(p -> p.matcher(file).matches())) {
                unknown.add(file);
            }
        }
        assertThat(unknown).as("fixture files no test maps").isEmpty();
        assertThat(files(SERVICE_FILES)).hasSize(22);
        assertThat(files(TASK_FILES)).hasSize(20);
        assertThat(files(NODE_FILES)).hasSize(5);
    }

    static Stream<String> serviceFiles() {
        return files(SERVICE_FILES).stream();
    }

    @ParameterizedTest
    @MethodSource("serviceFiles")
    void everyServiceMapsToAWorkloadOfItsModeAndAnUnchangedSpecWritesBackUnchanged(String file) {
        List<JsonNode> tasks = SwarmFixtures.items(SwarmFixtures.json(capturedWith(file, SwarmFixtures.tasksFileOf(fileName(file)),
                file.startsWith(REAL) ? REAL + "/GET_tasks.json" : SPEC + "/GET_tasks_response.example.json")));
        for (JsonNode service : SwarmFixtures.items(SwarmFixtures.json(file))) {
            Workload workload = SwarmServiceReader.workload(service, tasksOf(service, tasks), nodes());
            JsonNode mode = service.path("Spec").path("Mode");
            assertThat(workload.nativeId()).isEqualTo(service.path("ID").asString());
            assertThat(workload.name()).isEqualTo(service.path("Spec").path("Name").asString());
            assertThat(workload.kind()).isEqualTo(mode.has("Global") ? WorkloadKind.DAEMON
                    : mode.has("ReplicatedJob") ? WorkloadKind.JOB : WorkloadKind.SERVICE);
            assertThat(workload.spec().replicas()).isEqualTo(mode.has("Global") ? null
                    : mode.has("ReplicatedJob") ? mode.path("ReplicatedJob").path("TotalCompletions").asInt()
                    : mode.path("Replicated").path("Replicas").asInt());
            assertThat(workload.spec().image()).isNotBlank().doesNotContain("@");
            assertThat(workload.status().phase()).isNotNull();
            assertThat(workload.instances()).allSatisfy(i -> assertThat(i.id()).isNotBlank());
            assertThat(workload.nativeObject()).contains(workload.nativeId());

            ObjectNode spec = (ObjectNode) service.path("Spec").deepCopy();
            writer.updateSpec(spec, workload.spec());
            // compared as JSON text: a rewritten number may change from int to long node, not its JSON
            assertThat(spec.toString()).as("ServiceSpec after writing back the spec read from " + file)
                    .isEqualTo(service.path("Spec").toString());
        }
    }

    @Test
    void replicatedServiceWithHealthCheckLimitsAndConstraintRuns() {
        Workload web = realService("web");
        assertThat(web.kind()).isEqualTo(WorkloadKind.SERVICE);
        assertThat(web.namespace()).isEmpty();
        assertThat(web.labels()).containsEntry("owner", "team-a").containsEntry("com.example.tier", "frontend");
        assertThat(web.spec().image()).isEqualTo("local/busybox:1.35");
        assertThat(web.spec().command()).isEmpty();
        assertThat(web.spec().args()).containsExactly("/bin/httpd", "-f", "-p", "8080", "-h", "/www");
        assertThat(web.spec().env()).containsExactly(Map.entry("MODE", "prod"), Map.entry("VERSION", "2"));
        assertThat(web.spec().resources().memoryBytes()).isEqualTo(67_108_864L);
        assertThat(web.spec().resources().cpuMillis()).as("only a reservation, no CPU limit").isNull();
        assertThat(web.spec().constraints()).containsExactly("node.role==manager");
        assertThat(web.spec().healthCheck()).isEqualTo(new HealthCheck(HealthCheck.Type.COMMAND, null, null,
                List.of("/bin/sh", "-c", "test -f /www/index.html"), 5, null));
        assertThat(web.spec().replicas()).isEqualTo(2);
        assertThat(web.status().phase()).isEqualTo(Phase.RUNNING);
        assertThat(web.status().desired()).isEqualTo(2);
        assertThat(web.status().running()).isEqualTo(2);
        assertThat(web.status().message()).isEmpty();
        assertThat(web.instances()).hasSize(2).allSatisfy(i -> {
            assertThat(i.state()).isEqualTo(InstanceState.RUNNING);
            assertThat(i.node()).isEqualTo("vm");
            assertThat(i.startedAt()).isNotNull();
            assertThat(i.exitCode()).isNull();
        });
        assertThat(web.instances()).extracting(Instance::id)
                .containsExactly("zzggcrjp5kuw7de0e8xuotzjf", "qtbjp3vu5v8sa85pi12gwenr6");
        assertThat(web.createdAt()).hasToString("2026-11-28T12:36:25.810548409Z");
    }

    @Test
    void updateStatusMakesARolloutDeployingAndAPausedOnePaused() {
        assertThat(withUpdateState("completed").status().phase()).isEqualTo(Phase.RUNNING);

        Workload updating = withUpdateState("updating");
        assertThat(updating.status().phase()).isEqualTo(Phase.DEPLOYING);
        assertThat(updating.status().message()).isEqualTo("updating: update completed; 2 of 2 updated");

        Workload rollingBack = withUpdateState("rollback_started");
        assertThat(rollingBack.status().phase()).isEqualTo(Phase.DEPLOYING);
        assertThat(rollingBack.status().message()).startsWith("rolling back: ");

        Workload paused = withUpdateState("paused");
        assertThat(paused.status().phase()).as("paused on purpose, though all replicas still run").isEqualTo(Phase.PAUSED);
        assertThat(paused.status().message()).isEqualTo("update paused: update completed");
        assertThat(withUpdateState("rollback_paused").status().message()).startsWith("rollback paused: ");
    }

    private Workload withUpdateState(String state) {
        ObjectNode web = (ObjectNode) SwarmFixtures.items(SwarmFixtures.json(REAL + "/GET_services_status_true.json")).stream()
                .filter(s -> s.path("Spec").path("Name").asString().equals("web")).findFirst().orElseThrow().deepCopy();
        ((ObjectNode) web.path("UpdateStatus")).put("State", state);
        return SwarmServiceReader.workload(web, tasksOf(web, SwarmFixtures.items(SwarmFixtures.json(REAL + "/GET_tasks.json"))), nodes());
    }

    @Test
    void globalServiceIsADaemonFollowingSwarmsDesiredCount() {
        Workload agent = realService("agent");
        assertThat(agent.kind()).isEqualTo(WorkloadKind.DAEMON);
        assertThat(agent.spec().replicas()).isNull();
        assertThat(agent.labels()).containsEntry("role", "agent");
        assertThat(agent.status().desired()).isEqualTo(1);
        assertThat(agent.status().phase()).isEqualTo(Phase.RUNNING);
        assertThat(agent.instances()).singleElement().satisfies(i -> assertThat(i.node()).isEqualTo("vm"));
    }

    @Test
    void crashingServiceIsFailedWithTheTaskErrorAndExitCode() {
        Workload crasher = realService("crasher");
        assertThat(crasher.status().phase()).isEqualTo(Phase.FAILED);
        assertThat(crasher.status().message())
                .isEqualTo("exit 3 on 1 of 1 instance; task: non-zero exit (3) (failed 3 times in a row)");
        assertThat(crasher.instances()).singleElement().satisfies(i -> {
            assertThat(i.state()).isEqualTo(InstanceState.FAILED);
            assertThat(i.exitCode()).isEqualTo(3);
            assertThat(i.reason()).isEqualTo("exit 3");
            assertThat(i.message()).isEqualTo("task: non-zero exit (3) (failed 3 times in a row)");
        });
    }

    @Test
    void serviceWithAMissingImageIsFailedWithTheRejection() {
        Workload ghost = realService("ghost");
        assertThat(ghost.status().phase()).isEqualTo(Phase.FAILED);
        assertThat(ghost.status().message()).isEqualTo(
                "No such image on 1 of 1 instance; No such image: local/doesnotexist:0.1 (failed 5 times in a row)");
        assertThat(ghost.instances()).singleElement().satisfies(i -> {
            assertThat(i.state()).isEqualTo(InstanceState.FAILED);
            assertThat(i.reason()).isEqualTo("No such image");
            assertThat(i.exitCode()).as("a rejected task never had a container").isNull();
        });
    }

    @Test
    void completedRunOnceServiceShowsItsExitedTask() {
        Workload batch = realService("batch");
        assertThat(batch.instances()).singleElement().satisfies(i -> {
            assertThat(i.state()).isEqualTo(InstanceState.EXITED);
            assertThat(i.exitCode()).isZero();
        });
        // a replicated service (not a job) whose only task finished: the phase rule has no word for it
        assertThat(batch.status().phase()).isEqualTo(Phase.UNKNOWN);
        assertThat(batch.status().message()).isEqualTo("finished");
    }

    @Test
    void inspectedServiceWithoutServiceStatusCountsItsLiveTasks() {
        JsonNode agent = SwarmFixtures.json(REAL + "/GET_services_agent.json");
        Workload workload = SwarmServiceReader.workload(agent, tasksOf(agent, SwarmFixtures.items(SwarmFixtures.json(REAL + "/GET_tasks.json"))), nodes());
        assertThat(workload.status().desired()).isEqualTo(1);
        assertThat(workload.status().phase()).isEqualTo(Phase.RUNNING);
    }

    static Stream<String> taskFiles() {
        return files(TASK_FILES).stream();
    }

    @ParameterizedTest
    @MethodSource("taskFiles")
    void everyTaskMapsToAnInstanceOfItsService(String file) {
        List<JsonNode> tasks = SwarmFixtures.items(SwarmFixtures.json(file));
        List<JsonNode> services = SwarmFixtures.items(SwarmFixtures.json(capturedWith(file,
                SwarmFixtures.servicesFileOf(fileName(file)), file.startsWith(REAL)
                        ? REAL + "/GET_services_status_true.json" : SPEC + "/GET_services_item_Service.example.json")));
        int mapped = 0;
        for (JsonNode service : services) {
            List<JsonNode> own = tasksOf(service, tasks);
            Workload workload = SwarmServiceReader.workload(service, own, nodes());
            for (Instance instance : workload.instances()) {
                JsonNode task = own.stream().filter(t -> t.path("ID").asString().equals(instance.id())).findFirst().orElseThrow();
                String state = task.path("Status").path("State").asString();
                assertThat(instance.state()).as(state).isEqualTo(switch (state) {
                    case "running" -> InstanceState.RUNNING;
                    case "failed", "rejected" -> InstanceState.FAILED;
                    case "pending" -> InstanceState.PENDING;
                    case "complete", "shutdown" -> InstanceState.EXITED;
                    default -> InstanceState.STARTING;
                });
                if (instance.state() != InstanceState.PENDING) {
                    assertThat(instance.node()).as("a task Swarm placed").isNotBlank();
                }
                mapped++;
            }
            assertThat(SwarmServiceReader.events(service, own, nodes(), 100)).hasSize(own.size() + 1 + (service.has("UpdateStatus") ? 1 : 0));
        }
        assertThat(mapped).as("instances mapped from " + file).isPositive();
    }

    @Test
    void specExampleServicePublishesItsPortAndRunsItsTask() {
        JsonNode service = SwarmFixtures.json(SPEC + "/GET_services_item_Service.example.json");
        Workload workload = SwarmServiceReader.workload(service, SwarmFixtures.items(
                SwarmFixtures.json(SPEC + "/GET_tasks_response.example.json")), Map.of());
        assertThat(workload.spec().image()).isEqualTo("redis");
        assertThat(workload.spec().ports()).containsExactly(new PortMapping(6379, 30001, "tcp"));
        assertThat(workload.status().phase()).isEqualTo(Phase.RUNNING);
        assertThat(workload.instances()).singleElement().satisfies(i -> {
            assertThat(i.id()).isEqualTo("0kzzo1i0y4jz6027t0k7aezc7");
            assertThat(i.node()).as("unknown node: its id").isEqualTo("60gvrl6tm78dmak4yl7srz94v");
        });
    }

    @Test
    void taskHistoryBecomesEventsNewestFirstWithFailuresAsWarnings() {
        JsonNode crasher = SwarmFixtures.json(REAL + "/GET_services_crasher.json");
        List<EngineEvent> events = SwarmServiceReader.events(crasher, tasksOf(crasher,
                SwarmFixtures.items(SwarmFixtures.json(REAL + "/GET_tasks.json"))), nodes(), 2);
        assertThat(events).hasSize(2).allSatisfy(e -> {
            assertThat(e.type()).isEqualTo(EngineEvent.WARNING);
            assertThat(e.reason()).isEqualTo("TaskFailed");
            assertThat(e.message()).contains("on vm").contains("task: non-zero exit (3)").contains("(exit code 3)");
            assertThat(e.workloadNativeId()).isEqualTo("uiskbv3so5cjopokx7arftba2");
        });
        assertThat(events.get(0).time()).isAfter(events.get(1).time());

        JsonNode web = SwarmFixtures.json(REAL + "/GET_services_web.json");
        assertThat(SwarmServiceReader.events(web, List.of(), nodes(), 10)).extracting(EngineEvent::reason)
                .containsExactly("UpdateCompleted", "ServiceCreated");
    }

    static Stream<String> nodeFiles() {
        return files(NODE_FILES).stream();
    }

    @ParameterizedTest
    @MethodSource("nodeFiles")
    void everyNodeMapsWithRoleAndLabels(String file) {
        for (JsonNode json : SwarmFixtures.items(SwarmFixtures.json(file))) {
            JsonNode node = file.endsWith("NodeSpec.example.json") ? wrapSpec(json) : json;
            Node mapped = SwarmServiceReader.node(node);
            assertThat(mapped.role()).isEqualTo(node.path("Spec").path("Role").asString());
            assertThat(mapped.labels()).isEqualTo(Json.stringMap(node.path("Spec").path("Labels")));
            assertThat(mapped.status()).isIn("READY", "DOWN", "DRAINING", "UNKNOWN");
        }
    }

    @Test
    void realNodeHasItsResourcesInModelUnits() {
        Node node = SwarmServiceReader.node(SwarmFixtures.items(SwarmFixtures.json(REAL + "/GET_nodes.json")).get(0));
        assertThat(node).isEqualTo(new Node("vm", "127.0.0.1", "READY", "manager", 2000L, 25_276_502_016L, Map.of()));
        Node composed = SwarmServiceReader.node(SwarmFixtures.json(SPEC + "/GET_nodes_item_Node.composed-from-field-examples.json"));
        assertThat(composed.name()).isEqualTo("bf3067039e47");
        assertThat(composed.cpuMillis()).isEqualTo(4000L);
        assertThat(composed.labels()).containsEntry("foo", "bar");
    }

    @Test
    void infoOfASwarmManagerIsUpAndOfOtherDaemonsDegraded() {
        EngineInfo manager = SwarmServiceReader.engineInfo(SwarmFixtures.json(REAL + "/GET_info.json"));
        assertThat(manager).isEqualTo(EngineInfo.up("20.10.24+dfsg1"));

        ObjectNode worker = (ObjectNode) SwarmFixtures.json(REAL + "/GET_info.json");
        ((ObjectNode) worker.path("Swarm")).put("ControlAvailable", false);
        assertThat(SwarmServiceReader.engineInfo(worker).degraded()).isTrue();
        assertThat(SwarmServiceReader.engineInfo(worker).message()).contains("worker, not a swarm manager");

        ObjectNode noSwarm = (ObjectNode) SwarmFixtures.json(REAL + "/GET_info.json");
        ((ObjectNode) noSwarm.path("Swarm")).put("LocalNodeState", "inactive");
        assertThat(SwarmServiceReader.engineInfo(noSwarm).message()).contains("not part of a swarm");

        EngineInfo composed = SwarmServiceReader.engineInfo(SwarmFixtures.json(SPEC + "/GET_info_SystemInfo.composed-from-field-examples.json"));
        assertThat(composed.version()).isNotBlank();
    }

    @Test
    void errorBodiesBecomeTheTypedExceptions() {
        try (DockerApi api = new DockerApi("fixtures", SwarmEndpoint.of(connection("unix:///nonexistent.sock")),
                Duration.ofSeconds(1))) {
            assertThat(api.failure(reply(404, REAL + "/ERR_GET_services_missing_404.json"), "nosuchservice"))
                    .isInstanceOf(WorkloadNotFoundException.class);
            assertThat(api.failure(reply(404, REAL + "/ERR_GET_tasks_missing_404.json"), "nosuchtask"))
                    .isInstanceOf(WorkloadNotFoundException.class);
            assertThat(api.failure(reply(404, REAL + "/ERR_GET_nodes_missing_404.json"), null))
                    .isInstanceOf(EngineUnavailableException.class).hasMessageContaining("node nosuchnode not found");
            assertThat(api.failure(reply(409, REAL + "/ERR_POST_services_create_duplicate_409.json"), null))
                    .isInstanceOf(EngineConflictException.class)
                    .hasMessage("name conflicts with an existing object: service web already exists");
            assertThat(api.failure(reply(500, SPEC + "/ErrorResponse.example.json"), null))
                    .isInstanceOf(EngineUnavailableException.class).hasMessageContaining("Something went wrong.");
        }
    }

    @Test
    void capturedEventsTurnIntoReReadsAndRemovals() {
        Map<String, SwarmEvents.EventAction.Kind> byAction = new LinkedHashMap<>();
        List<String> lines = SwarmFixtures.lines(REAL + "/GET_events_type_service_node.jsonl");
        assertThat(lines).hasSize(15);
        for (String line : lines) {
            JsonNode event = Json.MAPPER.readTree(line);
            SwarmEvents.EventAction action = SwarmEvents.EventAction.of(event);
            byAction.put(event.path("Type").asString() + "/" + event.path("Action").asString(), action.kind());
            if (event.path("Type").asString().equals("service")) {
                assertThat(action.serviceId()).isEqualTo(event.path("Actor").path("ID").asString());
            }
        }
        assertThat(byAction).containsExactly(
                Map.entry("node/update", SwarmEvents.EventAction.Kind.NODES_CHANGED),
                Map.entry("service/create", SwarmEvents.EventAction.Kind.CHANGED),
                Map.entry("service/update", SwarmEvents.EventAction.Kind.CHANGED),
                Map.entry("service/remove", SwarmEvents.EventAction.Kind.REMOVED));
    }

    private Workload realService(String name) {
        List<JsonNode> tasks = SwarmFixtures.items(SwarmFixtures.json(REAL + "/GET_tasks.json"));
        JsonNode service = SwarmFixtures.items(SwarmFixtures.json(REAL + "/GET_services_status_true.json")).stream()
                .filter(s -> s.path("Spec").path("Name").asString().equals(name)).findFirst().orElseThrow();
        return SwarmServiceReader.workload(service, tasksOf(service, tasks), nodes());
    }

    private Map<String, SwarmServiceReader.NodeRef> nodes() {
        return SwarmServiceReader.nodeIndex(SwarmFixtures.json(REAL + "/GET_nodes.json"));
    }

    /** The file captured together with {@code file} (its tasks, or its services) when there is one, else {@code fallback}. */
    private static String capturedWith(String file, String siblingName, String fallback) {
        String sibling = file.substring(0, file.length() - fileName(file).length()) + siblingName;
        return !sibling.equals(file) && java.nio.file.Files.isRegularFile(SwarmFixtures.dir().resolve(sibling)) ? sibling : fallback;
    }

    private static String fileName(String file) {
        return file.substring(file.lastIndexOf('/') + 1);
    }

    private static List<JsonNode> tasksOf(JsonNode service, List<JsonNode> tasks) {
        Predicate<JsonNode> own = t -> t.path("ServiceID").asString().equals(service.path("ID").asString());
        return tasks.stream().filter(own).toList();
    }

    private static JsonNode wrapSpec(JsonNode spec) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.set("Spec", spec);
        return node;
    }

    private static DockerApi.Reply reply(int status, String file) {
        return new DockerApi.Reply(status, SwarmFixtures.json(file).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), null);
    }

    static EngineConnection connection(String endpoint) {
        return new EngineConnection(java.util.UUID.randomUUID(), "fixtures", endpoint, null, null, null, null);
    }

    private static List<String> files(Pattern pattern) {
        return SwarmFixtures.all().stream().filter(f -> pattern.matcher(f).matches()).toList();
    }
}
