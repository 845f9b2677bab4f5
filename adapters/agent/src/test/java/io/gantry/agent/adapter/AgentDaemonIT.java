package io.gantry.agent.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.agent.runtime.Proc;
import io.gantry.spi.Capability;
import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineForbiddenException;
import io.gantry.spi.EngineRuntime;
import io.gantry.spi.HealthCheck;
import io.gantry.spi.Instance;
import io.gantry.spi.InstanceState;
import io.gantry.spi.InstanceUsage;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.Phase;
import io.gantry.spi.PortMapping;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.RequiredEngine;
import io.gantry.spi.Subscription;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real daemon (a child JVM) running real HTTP servers: replicas, crash recovery, metrics, agent restarts, no orphans. */
class AgentDaemonIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path root;

    @Test
    void replicasServeHttpRecoverFromKillAndLeaveNothingBehind() throws Exception {
        try (AgentProcess agent = new AgentProcess(root).start(); EngineClient client = agent.client()) {
            RecordingListener watched = new RecordingListener();
            List<EngineChange> changes = watched.changes();
            Subscription watch = client.watch(watched);
            Workload web = client.deploy(httpServer("web", 3));
            assertThat(web.nativeId()).isEqualTo("demo/web");
            Workload running = await("3 running", () -> client.getWorkload("demo/web")
                    .filter(w -> w.status().phase() == Phase.RUNNING && w.status().running() == 3));
            assertThat(running.status().healthy()).as("RUNNING waits for the HTTP health checks").isEqualTo(3);
            for (Instance instance : running.instances()) {
                assertThat(instance.address()).startsWith("127.0.0.1:");
                // RUNNING means the process runs (there is no health check): python binds its port a moment later
                assertThat(await("answering", () -> answer("http://" + instance.address() + "/"))).isEqualTo(200);
            }

            long victim = pidOf(agent, "web-1");
            Signal.kill9(victim);
            // restarted by the agent (a new pid for web-1) within await's 20 s; start latency is bench/agent's figure
            await("back at 3 running", () -> client.getWorkload("demo/web").filter(w -> w.status().running() == 3
                    && w.instances().stream().anyMatch(i -> i.id().equals("web-1") && i.state() == InstanceState.RUNNING
                    && pidOf(agent, "web-1") != victim)));
            await("the exit watched", () -> changes.stream().filter(c -> c instanceof EngineChange.EventObserved o
                    && o.event().reason().equals("TaskExited") && o.event().message().startsWith("task web-1:")).findAny());

            String metrics = get("http://127.0.0.1:" + agent.metricsPort + "/metrics").body();
            assertThat(metrics)
                    .contains("gantry_agent_task_restarts_total{namespace=\"demo\",container=\"web\",task=\"web-1\"} 1")
                    .contains("gantry_agent_task_memory_bytes{namespace=\"demo\",container=\"web\",task=\"web-0\"}")
                    .contains("gantry_agent_task_cpu_seconds_total{namespace=\"demo\",container=\"web\",task=\"web-2\"}")
                    .contains("gantry_agent_task_start_latency_seconds_count{runtime=\"raw\"}");

            List<Long> pids = List.of(pidOf(agent, "web-0"), pidOf(agent, "web-1"), pidOf(agent, "web-2"));
            client.scale("demo/web", 0);
            await("stopped", () -> client.getWorkload("demo/web").filter(w -> w.status().phase() == Phase.STOPPED));
            assertThat(pids).allSatisfy(pid -> assertThat(Proc.group(pid)).isEmpty());

            client.delete("demo/web");
            assertThat(client.getWorkload("demo/web")).isEmpty();
            await("removal watched", () -> changes.stream().filter(c -> c instanceof EngineChange.WorkloadRemoved r
                    && r.nativeId().equals("demo/web")).findAny());
            watch.close();
            assertThat(watched.failures()).as("the watch never gave up").isEmpty();
        }
    }

    @Test
    void aRestartedAgentReadoptsLiveTasksAndReportsTheDeadOnes() throws Exception {
        AgentProcess first = new AgentProcess(root).start();
        long aliveBefore;
        long deadPid;
        EngineClient watching = first.client();
        RecordingListener watched = new RecordingListener();
        List<EngineChange> changes = watched.changes();
        Subscription watch = watching.watch(watched);
        try (EngineClient client = first.client()) {
            client.deploy(httpServer("keep", 2));
            await("2 running", () -> client.getWorkload("demo/keep").filter(w -> w.status().running() == 2));
            aliveBefore = pidOf(first, "keep-0");
            deadPid = pidOf(first, "keep-1");
        }
        first.kill();
        // killed while no agent watches: the next agent must notice and report it
        Signal.kill9(deadPid);
        await("gone", () -> Proc.group(deadPid).isEmpty() ? java.util.Optional.of(true) : java.util.Optional.empty());
        assertThat(Proc.stat(aliveBefore)).isPresent();

        try (AgentProcess second = restartOn(first); EngineClient client = second.client()) {
            assertThat(client.events("demo/keep", 50)).anySatisfy(e -> {
                assertThat(e.reason()).isEqualTo("TaskExited");
                assertThat(e.message()).contains("keep-1").contains("exited while the agent was not watching");
            });
            Workload back = await("both running again", () -> client.getWorkload("demo/keep")
                    .filter(w -> w.status().running() == 2));
            assertThat(pidOf(second, "keep-0")).as("re-adopted, not restarted").isEqualTo(aliveBefore);
            assertThat(back.instances()).anySatisfy(i -> assertThat(i.id()).isEqualTo("keep-0"));
            long restartedPid = pidOf(second, "keep-1");
            assertThat(restartedPid).isNotEqualTo(deadPid);

            await("the watch reconnected and asked for a resync", () -> changes.stream()
                    .filter(c -> c instanceof EngineChange.ResyncRequired r && r.reason().contains("re-opened")).findAny());
            assertThat(watched.failures()).as("the watch never gave up").isEmpty();

            client.delete("demo/keep");
            assertThat(Proc.group(aliveBefore)).isEmpty();
            assertThat(Proc.group(restartedPid)).isEmpty();
        } finally {
            watch.close();
            watching.close();
        }
    }

    @Test
    void anUpdateRollsEveryReplicaAndLogsCanBeFollowed() throws Exception {
        try (AgentProcess agent = new AgentProcess(root).start(); EngineClient client = agent.client()) {
            client.deploy(ticker("tick", "v1", 2));
            await("2 running", () -> client.getWorkload("demo/tick").filter(w -> w.status().running() == 2));
            List<String> followed = new CopyOnWriteArrayList<>();
            List<Throwable> ends = new CopyOnWriteArrayList<>();
            Subscription follow = client.followLogs("demo/tick", 5, new io.gantry.spi.LogSink() {
                @Override
                public void onLine(io.gantry.spi.LogLine line) {
                    followed.add(line.instance() + " " + line.text());
                }

                @Override
                public void onEnd(Throwable failure) {
                    ends.add(failure == null ? new RuntimeException("normal end") : failure);
                }
            });
            await("v1 lines followed", () -> followed.stream().filter(l -> l.startsWith("tick-1 v1")).findAny());
            long before0 = pidOf(agent, "tick-0");
            long before1 = pidOf(agent, "tick-1");

            client.update("demo/tick", ticker("tick", "v2", 2).spec());
            Workload updated = client.getWorkload("demo/tick").orElseThrow();
            assertThat(updated.spec().args()).singleElement().asString().contains("v2");
            assertThat(pidOf(agent, "tick-0")).isNotEqualTo(before0);
            assertThat(pidOf(agent, "tick-1")).isNotEqualTo(before1);
            await("v2 lines followed from the same tasks", () -> followed.stream()
                    .filter(l -> l.startsWith("tick-0 v2")).findAny());
            assertThat(client.logs("demo/tick", 3)).anySatisfy(l -> assertThat(l.text()).startsWith("v2"));

            follow.close();
            assertThat(ends).hasSize(1);
            client.delete("demo/tick");
        }
    }

    private static WorkloadDefinition ticker(String name, String version, int replicas) {
        WorkloadSpec spec = new WorkloadSpec(null, List.of("/bin/sh", "-c"),
                List.of("while true; do echo " + version + " $GANTRY_TASK_ID; sleep 0.2; done"), null, null, null,
                replicas, null, null, null);
        return new WorkloadDefinition("demo", name, WorkloadKind.SERVICE, Map.of(), spec);
    }

    @Test
    void usageReportsCpuAndMemoryOfEachRunningReplica() throws Exception {
        try (AgentProcess agent = new AgentProcess(root).start(); EngineClient client = agent.client()) {
            assertThat(client.capabilities()).contains(Capability.USAGE);
            // a shell spinning in a loop: it burns CPU from its first moment
            WorkloadSpec spin = new WorkloadSpec(null, List.of("/bin/sh", "-c"), List.of("while :; do :; done"), null,
                    null, null, 2, null, null, "raw");
            client.deploy(new WorkloadDefinition("demo", "spin", WorkloadKind.SERVICE, Map.of(), spin));
            await("2 running", () -> client.getWorkload("demo/spin").filter(w -> w.status().running() == 2));

            List<InstanceUsage> usage = await("CPU time counted for both replicas", () -> java.util.Optional.of(
                    client.usage("demo/spin")).filter(u -> u.size() == 2 && u.stream().allMatch(i -> i.cpuSeconds() > 0)));
            assertThat(usage).extracting(InstanceUsage::instanceId).containsExactly("spin-0", "spin-1");
            assertThat(usage).allSatisfy(u -> {
                assertThat(u.memoryBytes()).isPositive();
                assertThat(u.at()).isNotNull();
            });

            client.scale("demo/spin", 0);
            await("stopped", () -> client.getWorkload("demo/spin").filter(w -> w.status().phase() == Phase.STOPPED));
            assertThat(client.usage("demo/spin")).as("no running instance, nothing measured").isEmpty();
            assertThat(client.usage("demo/no-such")).isEmpty();
            client.delete("demo/spin");
        }
    }

    @Test
    void badRequestsFailClearlyAndTheAgentKeepsServing() throws Exception {
        try (AgentProcess agent = new AgentProcess(root).start(); EngineClient client = agent.client()) {
            assertThatThrownBy(() -> client.deploy(new WorkloadDefinition("demo", "ghost", WorkloadKind.SERVICE, Map.of(),
                    new WorkloadSpec(null, List.of("no-such-command-here"), null, null, null, null, 1, null, null, null))))
                    .isInstanceOf(InvalidSpecException.class)
                    .hasMessageContaining("command 'no-such-command-here' was not found on PATH");
            assertThat(client.getWorkload("demo/ghost")).as("rolled back").isEmpty();
            assertThatThrownBy(() -> client.deploy(new WorkloadDefinition("a/b", "web", WorkloadKind.SERVICE, Map.of(),
                    WorkloadSpec.of(null, 1))))
                    .isInstanceOf(InvalidSpecException.class);
            try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
                WorkloadSpec pinned = new WorkloadSpec(null, List.of("/bin/sh", "-c", "sleep 30"), null, null,
                        List.of(new PortMapping(80, taken.getLocalPort(), "tcp")), null, 1, null, null, null);
                assertThatThrownBy(() -> client.deploy(new WorkloadDefinition("demo", "pinned", WorkloadKind.SERVICE,
                        Map.of(), pinned)))
                        .isInstanceOf(InvalidSpecException.class)
                        .hasMessageContaining("host port " + taken.getLocalPort() + " is already in use");
            }
            EngineConnection wrongToken = new EngineConnection(UUID.randomUUID(), "bad", "grpc://127.0.0.1:" + agent.port,
                    Map.of(), Map.of("token", "wrong"), Map.of(), Duration.ofSeconds(5));
            try (EngineClient intruder = new AgentEngineAdapter().connect(wrongToken)) {
                assertThatThrownBy(intruder::listWorkloads).isInstanceOf(EngineForbiddenException.class)
                        .hasMessageContaining("invalid bearer token");
            }
            client.deploy(new WorkloadDefinition("demo", "visible", WorkloadKind.SERVICE, Map.of(),
                    new WorkloadSpec(null, List.of("sleep", "30"), null, null, null, null, 1, null, null, null)));
            EngineConnection otherTeam = new EngineConnection(UUID.randomUUID(), "other", "grpc://127.0.0.1:" + agent.port,
                    Map.of(), Map.of("token", agent.token), Map.of("namespaces", "team-b, team-c"), Duration.ofSeconds(5));
            try (EngineClient scoped = new AgentEngineAdapter().connect(otherTeam)) {
                assertThat(scoped.listWorkloads()).as("only namespaces team-b and team-c").isEmpty();
            }
            assertThat(client.listWorkloads()).extracting(Workload::nativeId).containsExactly("demo/visible");
            client.delete("demo/visible");
            assertThat(client.ping().version()).startsWith("gantry-agent/");
            assertThat(client.listNodes()).singleElement().satisfies(n -> {
                assertThat(n.labels()).containsEntry("zone", "a");
                assertThat(n.memoryBytes()).isPositive();
            });
        }
    }

    /** Issue 13: raw tasks are host processes, so a standalone agent offers the runtime only when told to. */
    @Test
    void aStandaloneAgentRefusesRawTasksUnlessAllowed() throws Exception {
        WorkloadSpec host = new WorkloadSpec(null, List.of("sleep", "30"), null, null, null, null, 1, null, null, "raw");
        try (AgentProcess agent = new AgentProcess(root.resolve("default")).withoutRaw().start();
             EngineClient client = agent.client()) {
            assertThat(client.runtimes()).extracting(EngineRuntime::name).doesNotContain("raw");
            assertThatThrownBy(() -> client.deploy(new WorkloadDefinition("demo", "host", WorkloadKind.SERVICE, Map.of(),
                    host))).isInstanceOf(InvalidSpecException.class)
                    .hasMessageContaining("--allow-raw-runtime")
                    .satisfies(e -> assertThat(((InvalidSpecException) e).errors())
                            .anySatisfy(f -> assertThat(f.field()).isEqualTo("spec.runtime")));
            assertThat(client.getWorkload("demo/host")).isEmpty();
            assertThat(client.ping().message()).contains("--allow-raw-runtime");
        }
        try (AgentProcess agent = new AgentProcess(root.resolve("allowed")).start(); EngineClient client = agent.client()) {
            assertThat(client.runtimes()).contains(new EngineRuntime("raw", true));
            assertThat(client.privilegedRuntime(host)).contains("raw");
            assertThat(client.privilegedRuntime(new WorkloadSpec(null, List.of("sleep", "30"), null, null, null, null, 1,
                    null, null, null))).as("raw by default without an imported image").contains("raw");
        }
    }

    /** Issue 13: a command health check of a raw task runs as the task runs: task user, clean environment. */
    @Test
    void aCommandHealthCheckRunsAsTheTask() throws Exception {
        try (AgentProcess agent = new AgentProcess(root).start(); EngineClient client = agent.client()) {
            // the agent was given GANTRY_AGENT_TOKEN; the task and its check must not see it, nor run as root
            String check = "test \"$(id -u)\" != 0 && test -z \"$GANTRY_AGENT_TOKEN\" && test \"$FROM_SPEC\" = yes"
                    + " && test \"$HOME\" = \"$(pwd)\"";
            WorkloadSpec spec = new WorkloadSpec(null, List.of("sleep", "60"), null, Map.of("FROM_SPEC", "yes"), null,
                    null, 1, new HealthCheck(HealthCheck.Type.COMMAND, null, null, List.of("/bin/sh", "-c", check), 1, 5),
                    null, "raw");
            client.deploy(new WorkloadDefinition("demo", "checked", WorkloadKind.SERVICE, Map.of(), spec));
            await("healthy", () -> client.getWorkload("demo/checked").filter(w -> w.status().healthy() == 1));
            client.delete("demo/checked");
        }
    }

    private AgentProcess restartOn(AgentProcess previous) throws IOException {
        return new AgentProcess(previous.root, previous.token, previous.port, previous.metricsPort).start();
    }

    private static WorkloadDefinition httpServer(String name, int replicas) {
        RequiredEngine.requireCommand("python3", "the raw tasks serve HTTP with python3 -m http.server; apt-get install -y python3");
        // the raw runtime execs without a shell: one expands $PORT0
        WorkloadSpec spec = new WorkloadSpec("python:3", List.of("/bin/sh", "-c"), List.of("exec python3 -m http.server $PORT0"),
                Map.of("PYTHONUNBUFFERED", "1"), List.of(PortMapping.tcp(8000)), null, replicas,
                HealthCheck.http("/", 8000, 1), null, "raw");
        return new WorkloadDefinition("demo", name, WorkloadKind.SERVICE, Map.of("app", name), spec);
    }

    private static long pidOf(AgentProcess agent, String taskId) {
        try {
            String json = java.nio.file.Files.readString(agent.dataDir.resolve("tasks").resolve("demo")
                    .resolve(taskId + ".json"));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"pid\": \"?(\\d+)").matcher(json);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static java.util.Optional<Integer> answer(String url) {
        try {
            return java.util.Optional.of(get(url).statusCode());
        } catch (IOException notYet) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static <T> T await(String what, Supplier<java.util.Optional<T>> probe) {
        return RecordingListener.poll(what, Duration.ofSeconds(20), probe);
    }

    /** kill -9 of one pid, as an operator (or the OOM killer) would. */
    private static final class Signal {
        static void kill9(long pid) throws IOException, InterruptedException {
            assertThat(new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor()).isZero();
        }
    }
}
