package io.gantry.marathon;

import io.gantry.spi.json.Json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.EngineInfo;
import io.gantry.spi.EngineRevision;
import io.gantry.spi.HealthCheck;
import io.gantry.spi.Instance;
import io.gantry.spi.InstanceState;
import io.gantry.spi.Phase;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Resources;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.SecretRef;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Mapping over every payload in {@code testdata/fixtures/marathon} (Marathon's own doc examples, its
 * last JSON schema and a Marathon 1.5 capture). Each test names the file it reads; the last test checks
 * that no fixture file is left unread.
 */
class MarathonFixturesTest {
    private static final long MIB = 1024L * 1024L;
    private static final Set<String> READ = new TreeSet<>();
    private static JsonNode fixture(String relative) {
        READ.add(relative);
        try {
            return Json.parse(Files.readString(MarathonTestServer.fixtures().resolve(relative)));
        } catch (IOException e) {
            throw new AssertionError("cannot read fixture " + relative, e);
        }
    }

    @Test
    void appListWithDeploymentIsDeployingAndDaemonWhenInstancesMatchTheAgents() {
        JsonNode app = fixture("raml/v2/examples/app_list.json").path("apps").get(0);
        Workload w = MarathonAppReader.app(app, MarathonProgress.NONE, null);
        assertThat(w.nativeId()).isEqualTo("/myapp");
        assertThat(w.namespace()).isEmpty();
        assertThat(w.name()).isEqualTo("myapp");
        assertThat(w.kind()).isEqualTo(WorkloadKind.SERVICE);
        assertThat(w.spec().image()).isNull();
        assertThat(w.spec().command()).containsExactly("/bin/sh", "-c", "env && sleep 60");
        assertThat(w.spec().args()).isEmpty();
        assertThat(w.spec().env()).containsExactly(Map.entry("LD_LIBRARY_PATH", "/usr/local/lib/myLib"));
        assertThat(w.spec().resources()).isEqualTo(new Resources(100L, 5 * MIB));
        assertThat(w.spec().replicas()).isEqualTo(3);
        assertThat(w.spec().constraints()).containsExactly("hostname:UNIQUE");
        assertThat(w.spec().ports()).containsExactly(new PortMapping(10013, null, "tcp"),
                new PortMapping(10015, null, "tcp"));
        assertThat(w.status().phase()).isEqualTo(Phase.DEPLOYING);
        assertThat(w.status().desired()).isEqualTo(3);
        assertThat(w.status().running()).isZero();
        assertThat(w.status().message()).contains("9538079c-3898-4e32-aa31-799bf9097f74");
        assertThat(w.status().since()).isEqualTo(Instant.parse("2015-09-25T15:13:48.343Z"));

        Workload daemon = MarathonAppReader.app(app, MarathonProgress.NONE, 3);
        assertThat(daemon.kind()).isEqualTo(WorkloadKind.DAEMON);
        assertThat(daemon.spec().replicas()).isNull();
        assertThat(daemon.status().desired()).isEqualTo(3);
        assertThat(MarathonAppReader.app(app, MarathonProgress.NONE, 4).kind()).isEqualTo(WorkloadKind.SERVICE);
    }

    @Test
    void fullDockerAppDefinitionMapsEveryModelField() {
        JsonNode app = fixture("raml/v2/examples/app.json");
        Workload w = MarathonAppReader.app(app, MarathonProgress.NONE, null);
        assertThat(w.nativeId()).isEqualTo("/foo");
        assertThat(w.spec().image()).isEqualTo("mesosphere:marathon/latest");
        assertThat(w.spec().command()).containsExactly("/bin/sh", "-c", "sleep 1000");
        assertThat(w.spec().args()).containsExactly("sleep", "100");
        // PASSWORD is a secret reference, not a value
        assertThat(w.spec().env()).containsExactly(Map.entry("XPS1", "Test"), Map.entry("XPS2", "Rest"));
        assertThat(w.spec().ports()).containsExactly(new PortMapping(80, null, "tcp"));
        assertThat(w.spec().resources()).isEqualTo(new Resources(100L, 16 * MIB));
        assertThat(w.spec().replicas()).isEqualTo(2);
        assertThat(w.spec().healthCheck()).isEqualTo(new HealthCheck(HealthCheck.Type.HTTP, "/", 80, List.of(), 20, 20));
        assertThat(w.spec().constraints()).containsExactly("hostname:LIKE:srv2.*");
        assertThat(w.labels()).containsEntry("owner", "zeus").containsEntry("note", "Away from olympus");
        // a definition without counts or tasks: nothing has started
        assertThat(w.status().phase()).isEqualTo(Phase.PENDING);
        assertThat(w.nativeObject()).contains("\"secrets\"");
    }

    @Test
    void updateKeepsWhatTheModelDoesNotKnowAndNeverSendsTheVersion() {
        JsonNode app = fixture("raml/v2/examples/app.json");
        WorkloadSpec spec = MarathonAppReader.app(app, MarathonProgress.NONE, null).spec();
        WorkloadSpec changed = new WorkloadSpec("nginx:1.27", spec.command(), List.of(), Map.of("XPS1", "New"),
                List.of(new PortMapping(8080, 18080, "tcp")), new Resources(1500L, 256 * MIB), 4, spec.healthCheck(),
                List.of("zone:GROUP_BY:3"), null);
        ObjectNode put = MarathonAppWriter.updatedApp(app, changed);
        assertThat(put.path("container").path("docker").path("image").asString()).isEqualTo("nginx:1.27");
        assertThat(put.path("container").path("docker").path("parameters").get(0).path("value").asString())
                .isEqualTo("kdc");
        assertThat(put.path("container").path("volumes").get(0).path("hostPath").asString())
                .isEqualTo("/hdd/tools/docker/registry");
        assertThat(put.path("container").path("portMappings").get(0).path("hostPort").asInt()).isEqualTo(18080);
        assertThat(put.path("container").path("docker").has("portMappings")).isFalse();
        assertThat(put.path("env").path("PASSWORD").path("secret").asString()).isEqualTo("/db/password");
        assertThat(put.path("env").path("XPS1").asString()).isEqualTo("New");
        assertThat(put.has("XPS2")).isFalse();
        assertThat(put.path("secrets").has("secret1")).isTrue();
        assertThat(put.path("fetch").size()).isEqualTo(2);
        assertThat(put.path("cmd").asString()).isEqualTo("sleep 1000");
        assertThat(put.has("args")).isFalse();
        assertThat(put.path("cpus").decimalValue()).isEqualByComparingTo("1.5");
        assertThat(put.path("mem").decimalValue()).isEqualByComparingTo("256");
        assertThat(put.path("instances").asInt()).isEqualTo(4);
        assertThat(put.path("healthChecks").get(0).path("portIndex").asInt()).isZero();
        assertThat(put.path("constraints").get(0).toString()).isEqualTo("[\"zone\",\"GROUP_BY\",\"3\"]");
        assertThat(put.has("version")).isFalse();
        assertThat(put.has("portDefinitions")).isFalse();
    }

    @Test
    void mesosContainerizerAppKeepsItsContainerTypeOnUpdate() {
        JsonNode ucr = Json.parse("""
                {"id": "/ucr/web", "instances": 1, "cpus": 0.5, "mem": 64,
                 "container": {"type": "MESOS", "docker": {"image": "alpine:3.20", "pullConfig": {"secret": "pull"}},
                   "portMappings": [{"containerPort": 8080, "hostPort": 31080, "protocol": "udp,tcp"}]},
                 "networks": [{"mode": "container", "name": "dcos"}], "cmd": "httpd -f -p 8080"}""");
        Workload w = MarathonAppReader.app(ucr, MarathonProgress.NONE, null);
        assertThat(w.spec().image()).isEqualTo("alpine:3.20");
        assertThat(w.spec().ports()).containsExactly(new PortMapping(8080, 31080, "udp"));
        ObjectNode put = MarathonAppWriter.updatedApp(ucr, w.spec().withReplicas(3));
        assertThat(put.path("container").path("type").asString()).isEqualTo("MESOS");
        assertThat(put.path("container").path("docker").path("pullConfig").path("secret").asString())
                .isEqualTo("pull");
        assertThat(put.path("networks").get(0).path("name").asString()).isEqualTo("dcos");
        assertThat(put.path("instances").asInt()).isEqualTo(3);
    }

    @Test
    void marathon15CaptureWithContainerPortMappingsAndARunningTask() {
        JsonNode app = fixture("real-world/GET_v2_apps_embed_tasks_marathon-1.5_pywebserver.json").path("apps").get(0);
        Workload w = MarathonAppReader.app(app, MarathonProgress.NONE, null);
        assertThat(w.spec().image()).isEqualTo("python:3");
        assertThat(w.spec().ports()).containsExactly(new PortMapping(80, null, "tcp"));
        assertThat(w.spec().resources()).isEqualTo(new Resources(100L, 134_217_728L));
        assertThat(w.labels()).containsEntry("HAPROXY_GROUP", "external");
        assertThat(w.status().phase()).isEqualTo(Phase.RUNNING);
        assertThat(w.status().running()).isEqualTo(1);
        assertThat(w.status().healthy()).isEqualTo(1);
        assertThat(w.status().message()).isEmpty();
        assertThat(w.instances()).containsExactly(new Instance("pywebserver.8cad6a69-6ca8-11e7-beb2-0e2beceebfcc",
                "10.0.2.148", InstanceState.RUNNING, Instant.parse("2017-07-19T17:35:15.654Z"), "10.0.2.148:1565", null,
                "", ""));
    }

    @Test
    void appTasksAndSingleTaskAreStaging() {
        JsonNode tasks = fixture("raml/v2/examples/app_tasks.json").path("tasks");
        Instance staging = MarathonAppReader.task(tasks.get(0));
        assertThat(staging.state()).isEqualTo(InstanceState.STARTING);
        assertThat(staging.node()).isEqualTo("srv7.hw.ca1.mesosphere.com");
        assertThat(staging.address()).isEqualTo("srv7.hw.ca1.mesosphere.com:31756");
        assertThat(staging.startedAt()).isEqualTo(Instant.parse("2015-08-26T20:23:44.678Z"));
        assertThat(MarathonAppReader.task(fixture("raml/v2/examples/app_task.json").path("task"))).isEqualTo(staging);
    }

    @Test
    void tasksListMapsRunningTasks() {
        List<Instance> tasks = fixture("raml/v2/examples/tasks.json").path("tasks").values().stream()
                .map(MarathonAppReader::task).toList();
        assertThat(tasks).extracting(Instance::state).containsExactly(InstanceState.RUNNING, InstanceState.RUNNING);
        assertThat(tasks).extracting(Instance::address)
                .containsExactly("srv4.example.com:31292", "srv2.example.com:31721");
    }

    @Test
    void legacyTasksWithoutStateAreRunningOnceStarted() {
        List<Instance> tasks = fixture("legacy-0.x-docs/GET_v2_apps_my-app_tasks.json").path("tasks").values()
                .stream().map(MarathonAppReader::task).toList();
        assertThat(tasks).extracting(Instance::id).containsExactly("my-app_1-1396592790353", "my-app_0-1396592784349");
        assertThat(tasks).allMatch(t -> t.state() == InstanceState.RUNNING);
        assertThat(tasks.get(0).address()).isEqualTo("agouti.local:31336");
    }

    @Test
    void legacyTasksWithHealthResultsMakeAHealthyApp() {
        JsonNode tasks = fixture("legacy-0.x-docs/GET_v2_tasks.json").path("tasks");
        ObjectNode app = (ObjectNode) Json.parse("{\"id\":\"/bridged-webapp\",\"cmd\":\"python3 -m http.server\","
                + "\"instances\":2,\"healthChecks\":[{\"protocol\":\"HTTP\",\"path\":\"/\",\"portIndex\":0}]}");
        app.set("tasks", tasks);
        Workload w = MarathonAppReader.app(app, MarathonProgress.NONE, null);
        assertThat(w.status().running()).isEqualTo(2);
        assertThat(w.status().healthy()).isEqualTo(2);
        assertThat(w.status().phase()).isEqualTo(Phase.RUNNING);
        assertThat(w.instances()).extracting(Instance::message).containsOnly("");
        ObjectNode sick = (ObjectNode) tasks.get(0).deepCopy();
        ((ObjectNode) sick.path("healthCheckResults").get(0)).put("alive", false).put("consecutiveFailures", 4);
        assertThat(MarathonAppReader.task(sick).message()).isEqualTo("health check failing (4 consecutive failures)");
    }

    @Test
    void legacyGroupsGiveNamespaces() {
        JsonNode root = fixture("legacy-0.x-docs/GET_v2_groups.json");
        JsonNode app = root.path("groups").get(0).path("apps").get(0);
        Workload w = MarathonAppReader.app(app, MarathonProgress.NONE, null);
        assertThat(w.namespace()).isEqualTo("test");
        assertThat(w.name()).isEqualTo("app");
        assertThat(w.spec().resources()).isEqualTo(new Resources(1000L, 128 * MIB));
        assertThat(w.spec().ports()).containsExactly(new PortMapping(10000, null, "tcp"));
        Workload same = MarathonAppReader.app(fixture("legacy-0.x-docs/GET_v2_groups_test.json").path("apps").get(0), MarathonProgress.NONE, null);
        assertThat(same.spec()).isEqualTo(w.spec());
        assertThat(same.nativeId()).isEqualTo("/test/app");
    }

    @Test
    void nestedGroupsAndDaemonRecognition() {
        JsonNode tools = fixture("raml/v2/examples/group.json").path("groups").get(0);
        Workload oauth = MarathonAppReader.app(tools.path("apps").get(0), MarathonProgress.NONE, 5);
        Workload datadog = MarathonAppReader.app(tools.path("apps").get(1), MarathonProgress.NONE, 5);
        Workload registry = MarathonAppReader.app(tools.path("groups").get(1).path("apps").get(0), MarathonProgress.NONE, 5);
        assertThat(oauth.kind()).isEqualTo(WorkloadKind.SERVICE);
        assertThat(oauth.spec().healthCheck().type()).isEqualTo(HealthCheck.Type.HTTP);
        assertThat(oauth.spec().resources()).isEqualTo(new Resources(1000L, 1024 * MIB));
        assertThat(datadog.kind()).isEqualTo(WorkloadKind.DAEMON);
        assertThat(datadog.spec().image()).isEqualTo("datadog/docker-dd-agent:latest");
        assertThat(datadog.namespace()).isEqualTo("tools");
        assertThat(registry.namespace()).isEqualTo("tools/docker");
        assertThat(registry.name()).isEqualTo("registry");
        assertThat(registry.spec().ports()).containsExactly(new PortMapping(5000, null, "tcp"));
        assertThat(registry.spec().resources()).isEqualTo(new Resources(500L, 4096 * MIB));
    }

    @Test
    void infoOfCurrentAndLegacyMarathon() {
        EngineInfo current = MarathonClusterReader.info(fixture("raml/v2/examples/info.json"));
        assertThat(current.version()).isEqualTo("1.5.0-SNAPSHOT");
        assertThat(current.degraded()).isFalse();
        assertThat(current.message()).contains("leader localhost:8080")
                .contains("96d7da70-b731-4cfb-96a7-0ee877af615d-0000");
        EngineInfo legacy = MarathonClusterReader.info(fixture("legacy-0.x-docs/GET_v2_info.json"));
        assertThat(legacy.version()).isEqualTo("0.7.0-SNAPSHOT");
        assertThat(legacy.message()).contains("127.0.0.1:8080");
        ObjectNode leaderless = (ObjectNode) fixture("raml/v2/examples/info.json").deepCopy();
        leaderless.remove("leader");
        assertThat(MarathonClusterReader.info(leaderless).degraded()).isTrue();
    }

    @Test
    void lockedAppConflictNamesTheDeployment() throws IOException {
        fixture("legacy-0.x-docs/PUT_v2_apps_test_409_locked_by_deployment.json");
        String body = Files.readString(MarathonTestServer.fixtures()
                .resolve("legacy-0.x-docs/PUT_v2_apps_test_409_locked_by_deployment.json"));
        assertThatThrownBy(() -> MarathonAnswers.expectOk(
                new MarathonHttp.Response(409, body, URI.create("http://m:8080")), "app", "/test"))
                .isInstanceOf(EngineConflictException.class)
                .hasMessageContaining("5cd987cd-85ae-4e70-8df7-f1438367d9cb")
                .hasMessageContaining("force=true");
    }

    @Test
    void mesosCheckIsTheHealthCheckWhenThereIsNoMarathonOne() {
        Workload w = MarathonAppReader.app(fixture("raml/v2/examples/app-check-http-example.json"), MarathonProgress.NONE, null);
        assertThat(w.nativeId()).isEqualTo("/http-index-test");
        // port 0 asks for a random host port: nothing fixed to report
        assertThat(w.spec().ports()).isEmpty();
        assertThat(w.spec().healthCheck()).isEqualTo(new HealthCheck(HealthCheck.Type.HTTP, "/", null, List.of(), 60, 20));
        assertThat(w.spec().resources()).isEqualTo(new Resources(1000L, 128 * MIB));
        assertThat(w.spec().command()).containsExactly("/bin/sh", "-c", "python3 -m http.server $PORT0");
    }

    @Test
    void patchBodiesMapAsPartialApps() {
        Workload patch = MarathonAppReader.app(fixture("raml/v2/examples/app_patch.json"), MarathonProgress.NONE, null);
        assertThat(patch.spec().replicas()).isEqualTo(2);
        assertThat(patch.spec().resources()).isEqualTo(Resources.NONE);
        List<Workload> patches = fixture("raml/v2/examples/apps_patch.json").values().stream()
                .map(a -> MarathonAppReader.app(a, MarathonProgress.NONE, null)).toList();
        assertThat(patches.get(0).spec().resources().cpuMillis()).isEqualTo(300L);
        assertThat(patches.get(1).spec().replicas()).isEqualTo(2);
    }

    @Test
    void createBodiesMapToGroupedApps() {
        List<Workload> created = fixture("raml/v2/examples/apps_create.json").values().stream()
                .map(a -> MarathonAppReader.app(a, MarathonProgress.NONE, null)).toList();
        assertThat(created).extracting(Workload::namespace).containsOnly("test");
        assertThat(created).extracting(Workload::name).containsExactly("sleep60", "sleep120");
        assertThat(created.get(0).spec().resources()).isEqualTo(new Resources(300L, 9 * MIB));
        assertThat(created.get(0).spec().command()).containsExactly("/bin/sh", "-c", "sleep 60");
    }

    @Test
    void deploymentPlansNameTheirAppsAndPods() {
        JsonNode steps = fixture("raml/v2/examples/deployment_steps.json");
        ObjectNode info = Json.MAPPER.createObjectNode();
        info.set("plan", steps);
        assertThat(MarathonEventReader.affectedIds("deployment_info", info)).containsExactly("/tools/oauth-server");

        JsonNode deployment = fixture("raml/v2/examples/deployments.json").get(0);
        ObjectNode success = Json.MAPPER.createObjectNode().put("id", deployment.path("id").asString())
                .put("timestamp", "2015-09-30T09:09:18.000Z");
        success.set("plan", deployment);
        assertThat(MarathonEventReader.affectedIds("deployment_success", success)).containsExactly("/foo", "/bla");
        assertThat(MarathonEventReader.observed("deployment_success", success)).extracting(EngineEvent::reason)
                .containsOnly("DeploymentSucceeded");
        assertThat(MarathonEventReader.observed("deployment_success", success).get(0).message())
                .contains("97c136bf-5a28-4821-9d94-480d9fbb01c8");
    }

    @Test
    void writeResultNamesTheDeployment() {
        assertThat(MarathonAnswers.deploymentId(fixture("raml/v2/examples/deployments_result.json")))
                .isEqualTo("5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43");
    }

    @Test
    void eventStreamCaptureParsesAndMaps() throws IOException {
        READ.add("raml/v2/examples/events.txt");
        byte[] capture = Files.readAllBytes(MarathonTestServer.fixtures().resolve("raml/v2/examples/events.txt"));
        List<String> types = new ArrayList<>();
        List<EngineEvent> events = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        SseReader frames = new SseReader(new ByteArrayInputStream(capture));
        for (SseReader.Frame frame; (frame = frames.next()) != null; ) {
            types.add(frame.type());
            events.addAll(MarathonEventReader.observed(frame.type(), frame.data()));
            ids.addAll(MarathonEventReader.affectedIds(frame.type(), frame.data()));
        }
        assertThat(types).containsExactly("event_stream_attached", "status_update_event", "status_update_event");
        assertThat(ids).containsExactly("/foo", "/test-app");
        assertThat(events).hasSize(2);
        EngineEvent failed = events.get(0);
        assertThat(failed.workloadNativeId()).isEqualTo("/foo");
        assertThat(failed.type()).isEqualTo(EngineEvent.WARNING);
        assertThat(failed.reason()).isEqualTo("TaskFailed");
        assertThat(failed.time()).isEqualTo(Instant.parse("2015-09-30T12:44:45.681Z"));
        assertThat(failed.message()).contains("srv5.hw.ca1.mesosphere.com").contains("Failed to fetch all URIs");
        assertThat(events.get(1).type()).isEqualTo(EngineEvent.NORMAL);
        assertThat(events.get(1).reason()).isEqualTo("TaskRunning");
    }

    @Test
    void eventsWithoutTheEventLineOfMarathon0xStillParse() throws IOException {
        String dataOnly = "data: {\"eventType\":\"app_terminated_event\",\"timestamp\":\"2014-03-01T23:29:30.158Z\","
                + "\"appId\":\"/my-app\"}\n\n";
        List<String> types = new ArrayList<>();
        SseReader frames = new SseReader(new ByteArrayInputStream(dataOnly.getBytes(StandardCharsets.UTF_8)));
        for (SseReader.Frame frame; (frame = frames.next()) != null; ) {
            types.add(frame.type());
        }
        assertThat(types).containsExactly("app_terminated_event");
    }

    @Test
    void podIsAServiceWorkload() {
        Workload w = MarathonPodReader.pod(fixture("raml/v2/examples/pod.json"), MarathonProgress.NONE);
        assertThat(w.nativeId()).isEqualTo("/foo");
        assertThat(w.kind()).isEqualTo(WorkloadKind.SERVICE);
        assertThat(w.spec().image()).isEqualTo("mesosphere/marathon:latest");
        assertThat(w.spec().command()).containsExactly("/bin/sh", "-c", "sleep 100");
        assertThat(w.spec().resources()).isEqualTo(new Resources(1000L, 128 * MIB));
        assertThat(w.spec().ports()).containsExactly(new PortMapping(80, null, "tcp"));
        assertThat(w.spec().healthCheck()).isEqualTo(new HealthCheck(HealthCheck.Type.HTTP, "/health", 80, List.of(),
                2, 20));
        assertThat(w.spec().replicas()).isEqualTo(1);
        assertThat(w.spec().env()).containsEntry("XPS1", "Test");
        assertThat(w.labels()).containsEntry("owner", "zeus");
        assertThat(w.status().phase()).isEqualTo(Phase.PENDING);
    }

    @Test
    void versionsOfTheRestDocsAreRevisionsAndTheRollbackBodyIsTheDocs() {
        JsonNode list = fixture("docs-0.x/GET_v2_apps_my-app_versions.json");
        assertThat(MarathonVersionReader.newestFirst(Json.strings(list, "versions"), MarathonVersions.MOST))
                .containsExactly("2014-04-04T06:25:31.399Z");
        String version = "2014-03-01T23:17:50.295Z";
        EngineRevision r = MarathonVersionReader.app(version,
                fixture("docs-0.x/GET_v2_apps_my-app_versions_2014-03-01T23-17-50.295Z.json"), null,
                Instant.parse(version), null);
        assertThat(r.id()).isEqualTo(version);
        assertThat(r.createdAt()).isEqualTo(Instant.parse(version));
        assertThat(r.spec().command()).containsExactly("/bin/sh", "-c", "sleep 60");
        assertThat(r.spec().replicas()).isEqualTo(4);
        assertThat(r.spec().resources()).isEqualTo(new Resources(100L, 5 * MIB));
        assertThat(r.spec().ports()).containsExactly(new PortMapping(18027, null, "tcp"),
                new PortMapping(13200, null, "tcp"));
        // Marathon 0.x keeps no versionInfo: nothing tells a scaling from a change
        assertThat(r.message()).isEmpty();
        assertThat(r.current()).isTrue();
        assertThat(MarathonVersionReader.app(version, fixture(
                "docs-0.x/GET_v2_apps_my-app_versions_2014-03-01T23-17-50.295Z.json"), null,
                Instant.parse("2014-04-04T06:25:31.399Z"), null).current()).isFalse();

        assertThat(MarathonAppWriter.rollbackTo(version))
                .isEqualTo(fixture("docs-0.x/PUT_v2_apps_my-app_version_rollback.json"));
    }

    @Test
    void versionListsAreSortedNewestFirstBoundedAndHoldOnlyTimestamps() {
        List<String> listed = new ArrayList<>(List.of("2014-03-01T23:42:20.938Z", "../../v2/info",
                "2016-01-01T00:00:00.000Z"));
        for (int day = 10; day < 30; day++) {
            listed.add("2015-01-" + day + "T00:00:00.000Z");
        }
        List<String> newest = MarathonVersionReader.newestFirst(listed, MarathonVersions.MOST);
        assertThat(newest).hasSize(MarathonVersions.MOST).doesNotContain("../../v2/info", "2014-03-01T23:42:20.938Z");
        assertThat(newest.get(0)).isEqualTo("2016-01-01T00:00:00.000Z");
        assertThat(newest.get(1)).isEqualTo("2015-01-29T00:00:00.000Z");
        assertThat(newest.get(9)).isEqualTo("2015-01-21T00:00:00.000Z");
    }

    @Test
    void theRamlAppExampleIsAVersionWhoseVersionInfoTellsScalingAndRestart() {
        // apps.raml gives examples/app.json as the body of GET /v2/apps/{app_id}/versions/{version}
        ObjectNode app = (ObjectNode) fixture("raml/v2/examples/app.json");
        String version = "2017-05-01T10:00:00.000Z";
        EngineRevision change = MarathonVersionReader.app(version, app, null, null, null);
        assertThat(change.spec()).isEqualTo(MarathonAppReader.appSpec(app, false));
        assertThat(change.current()).isFalse();
        assertThat(change.message()).isEmpty();

        ObjectNode scaled = app.deepCopy();
        scaled.putObject("versionInfo").put("lastConfigChangeAt", "2017-04-30T10:00:00.000Z")
                .put("lastScalingAt", version);
        ObjectNode older = app.deepCopy();
        older.put("instances", scaled.path("instances").asInt() + 1);
        assertThat(MarathonVersionReader.app(version, scaled, older, null, null).message())
                .isEqualTo(MarathonVersionReader.SCALING);
        assertThat(MarathonVersionReader.app(version, scaled, null, null, null).message())
                .isEqualTo(MarathonVersionReader.SCALING);
        assertThat(MarathonVersionReader.app(version, scaled, app, null, null).message())
                .isEqualTo(MarathonVersionReader.RESTART);
        ObjectNode configured = app.deepCopy();
        configured.putObject("versionInfo").put("lastConfigChangeAt", version).put("lastScalingAt", version);
        assertThat(MarathonVersionReader.app(version, configured, older, null, null).message()).isEmpty();
    }

    @Test
    void theRamlPodExampleIsAPodVersion() {
        // pods.raml: GET /v2/pods/{id}::versions/{version} answers a pod.Pod
        JsonNode pod = fixture("raml/v2/examples/pod.json");
        EngineRevision r = MarathonVersionReader.pod("2017-05-01T10:00:00.000Z", pod,
                Instant.parse("2017-05-01T10:00:00Z"));
        assertThat(r.spec()).isEqualTo(MarathonPodReader.pod(pod, MarathonProgress.NONE).spec());
        assertThat(r.spec().image()).isEqualTo("mesosphere/marathon:latest");
        assertThat(r.current()).isTrue();
        assertThat(r.message()).isEmpty();
    }

    @Test
    void queueExplainsWhyAnAppDoesNotStart() {
        JsonNode body = fixture("raml/v2/examples/queue.json");
        JsonNode queue = body.path("queue");
        assertThat(MarathonStatusRules.queueMessage(queue.get(0))).isEqualTo("1 instance(s) waiting for Mesos offers");
        // rejectSummaryLastOffers keeps the last offer of each agent: its counts are agents
        assertThat(MarathonStatusRules.queueMessage(queue.get(1)))
                .isEqualTo("2 instance(s) waiting for Mesos offers: insufficient cpus on 75 of 123 agents, "
                        + "insufficient memory on 15 of 48 agents, insufficient disk on 10 of 33 agents");
        Workload datadog = MarathonAppReader.app(queue.get(0).path("app"), MarathonProgress.of(null, body), null);
        assertThat(datadog.status().phase()).isEqualTo(Phase.PENDING);
        assertThat(datadog.status().message()).isEqualTo("1 instance(s) waiting for Mesos offers");
    }

    @Test
    void newAppsUseOnlyFieldsOfTheAppDefinitionSchema() {
        JsonNode schema = fixture("schema/AppDefinition.json");
        Set<String> allowed = new TreeSet<>(schema.path("properties").propertyNames());
        WorkloadDefinition docker = new WorkloadDefinition("shop/eu", "web", WorkloadKind.SERVICE, Map.of("a", "b"),
                new WorkloadSpec("nginx:1.27", List.of("nginx", "-g", "daemon off;"), null, Map.of("K", "v"),
                        List.of(new PortMapping(80, 8080, "tcp")), new Resources(500L, 256 * MIB), 2,
                        HealthCheck.http("/healthz", 80, 5), List.of("hostname:UNIQUE"), null));
        WorkloadDefinition command = new WorkloadDefinition("", "worker", WorkloadKind.DAEMON, null,
                new WorkloadSpec(null, List.of("/bin/sh", "-c", "./run.sh"), null, null,
                        List.of(PortMapping.tcp(9000)), Resources.NONE, null, null, null, null));
        ObjectNode dockerApp = MarathonAppWriter.newApp(docker, null);
        ObjectNode commandApp = MarathonAppWriter.newApp(command, 4);
        assertThat(dockerApp.propertyNames()).isSubsetOf(allowed);
        assertThat(commandApp.propertyNames()).isSubsetOf(allowed);
        Pattern id = Pattern.compile(schema.path("definitions").path("pathType").path("pattern").asString());
        assertThat(id.matcher(dockerApp.path("id").asString()).matches()).isTrue();
        assertThat(dockerApp.path("id").asString()).isEqualTo("/shop/eu/web");
        assertThat(dockerApp.path("cmd").asString()).isEqualTo("nginx -g 'daemon off;'");
        assertThat(dockerApp.path("cpus").decimalValue()).isEqualByComparingTo("0.5");
        assertThat(dockerApp.path("mem").decimalValue()).isEqualByComparingTo("256");
        assertThat(dockerApp.path("networks").get(0).path("mode").asString()).isEqualTo("container/bridge");
        assertThat(commandApp.path("instances").asInt()).isEqualTo(4);
        assertThat(commandApp.path("constraints").toString()).isEqualTo("[[\"hostname\",\"UNIQUE\"]]");
        assertThat(commandApp.path("portDefinitions").get(0).path("port").asInt()).isEqualTo(9000);
        assertThat(commandApp.has("container")).isFalse();

        // and the model reads back what it wrote
        Workload back = MarathonAppReader.app(dockerApp, MarathonProgress.NONE, null);
        assertThat(back.spec().image()).isEqualTo("nginx:1.27");
        assertThat(back.spec().ports()).isEqualTo(docker.spec().ports());
        assertThat(back.spec().resources()).isEqualTo(docker.spec().resources());
        assertThat(back.spec().healthCheck().path()).isEqualTo("/healthz");
        assertThat(back.spec().healthCheck().port()).isEqualTo(80);
    }

    @Test
    void groupSchemaIdsAcceptTheIdsGantryMakes() {
        Pattern id = Pattern.compile(fixture("schema/Group.json").path("definitions").path("pathType")
                .path("pattern").asString());
        assertThat(MarathonIds.appId("/prod/shop/", "web")).isEqualTo("/prod/shop/web");
        assertThat(id.matcher(MarathonIds.appId("prod/shop", "web")).matches()).isTrue();
        assertThat(id.matcher(MarathonIds.appId("", "web-1")).matches()).isTrue();
        assertThat(MarathonIds.namespaceOf("/prod/shop/web")).isEqualTo("prod/shop");
        for (String sample : List.of("/a", "/prod/shop/web", "/a.b/c-d/e1", "/-bad", "/Bad", "/a b", "/a/", "/a-")) {
            assertThat(MarathonIds.isValidId(sample)).as(sample)
                    .isEqualTo(id.matcher(sample).matches() && !sample.endsWith("/"));
        }
    }

    /** Marathon's docs ({@code docs/docs/secrets.md}): a secret as an env var and as a file, both ways. */
    @Test
    void theDocsSecretExamplesAreSecretReferencesAndWriteBackUnchanged() {
        JsonNode env = fixture("docs-secrets/app-with-secrets_env.json");
        WorkloadSpec envSpec = MarathonAppReader.app(env, MarathonProgress.NONE, null).spec();
        assertThat(envSpec.secrets()).containsExactly(SecretRef.env("databasepassword", null, "DATABASE_PW"));
        assertThat(envSpec.env()).isEmpty();

        JsonNode file = fixture("docs-secrets/app-with-secrets_file.json");
        WorkloadSpec fileSpec = MarathonAppReader.app(file, MarathonProgress.NONE, null).spec();
        assertThat(fileSpec.secrets()).containsExactly(
                SecretRef.file("databasepassword", ConfigKind.SECRET, null, "path/to/db/password", null));

        for (JsonNode app : List.of(env, file)) {
            WorkloadSpec spec = MarathonAppReader.app(app, MarathonProgress.NONE, null).spec();
            ObjectNode written = MarathonAppWriter.updatedApp(app, spec);
            assertThat(written.path("secrets")).isEqualTo(app.path("secrets"));
            assertThat(written.path("env")).isEqualTo(app.path("env").isMissingNode()
                    ? Json.MAPPER.createObjectNode() : app.path("env"));
            assertThat(written.path("container").path("volumes")).isEqualTo(app.path("container").path("volumes"));
        }
    }

    /** The RAML's example refers to an id its {@code secrets} does not define: no reference; all kept on update. */
    @Test
    void aReferenceToAnUndefinedSecretIdIsKeptAsItWas() {
        JsonNode app = fixture("raml/v2/examples/app.json");
        WorkloadSpec spec = MarathonAppReader.app(app, MarathonProgress.NONE, null).spec();
        assertThat(spec.secrets()).isEmpty();
        ObjectNode written = MarathonAppWriter.updatedApp(app, spec);
        assertThat(written.path("env").path("PASSWORD")).isEqualTo(app.path("env").path("PASSWORD"));
        assertThat(written.path("secrets")).as("secrets no env var or volume uses are not the model's")
                .isEqualTo(app.path("secrets"));
    }

    @AfterAll
    static void everyJsonAndEventFixtureWasRead() throws IOException {
        Path root = MarathonTestServer.fixtures();
        Set<String> all = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(f -> f.toString().endsWith(".json") || f.toString().endsWith(".txt"))
                    .forEach(f -> all.add(root.relativize(f).toString().replace('\\', '/')));
        }
        assertThat(all).isNotEmpty();
        // the status rule table's objects are read by MarathonStatusCasesTest
        MarathonStatusCasesTest.files().forEach(f -> READ.add(root.relativize(f.normalize()).toString().replace('\\', '/')));
        assertThat(READ).as("fixture files mapped by a test").containsAll(all);
    }
}
