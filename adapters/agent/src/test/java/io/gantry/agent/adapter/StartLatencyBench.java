package io.gantry.agent.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.ContainersGrpc;
import io.gantry.agent.api.v1.CreateContainerRequest;
import io.gantry.agent.api.v1.CreateTaskRequest;
import io.gantry.agent.api.v1.DeleteContainerRequest;
import io.gantry.agent.api.v1.DeleteTaskRequest;
import io.gantry.agent.api.v1.HealthRequest;
import io.gantry.agent.api.v1.NodeGrpc;
import io.gantry.agent.api.v1.StartTaskRequest;
import io.gantry.agent.api.v1.TaskStatus;
import io.gantry.agent.api.v1.TasksGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3's start-latency benchmark: a real agent daemon ({@code target/gantry-agent.jar}, started as
 * operators start it: no JVM options) starts tasks through its gRPC API, timed from the Create call to
 * (a) the Start answer RUNNING and (b) the task's first output line in its log file (the process is
 * really up). Side by side in the same run: {@code runc run -d} of the agent's own bundle and
 * {@code docker run --rm}. Prints a table with nproc; asserts only that tasks run. Not part of the build
 * (its name matches no test pattern): run it with {@code bench/agent/run.sh}.
 * Sizes: {@code -Dbench.rawTasks} (200), {@code -Dbench.runcTasks} (50), {@code -Dbench.dockerRuns} (20).
 */
class StartLatencyBench {
    private static final String NAMESPACE = "bench";
    /** Says it is up, then waits; exits on SIGTERM even as PID 1 of a container (which ignores untrapped signals). */
    private static final List<String> COMMAND = List.of("/bin/sh", "-c", "trap 'exit 0' TERM; echo up; sleep 600 & wait");
    private static final String DOCKER_IMAGE = "gantry-test/busybox:1";
    private static final int WARM_UP = 10;

    @TempDir
    Path root;

    private final List<String> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    @Test
    void startLatencyOfTheRawAndRuncRuntimesBesideRuncAndDocker() throws Exception {
        int rawTasks = Integer.getInteger("bench.rawTasks", 200);
        int runcTasks = Integer.getInteger("bench.runcTasks", 50);
        int dockerRuns = Integer.getInteger("bench.dockerRuns", 20);
        long rawP50 = -1;
        long runcUpP50 = -1;
        long plainRuncP50 = -1;
        long dockerP50 = -1;
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        try (AgentProcess agent = new AgentProcess(root.resolve("agent")).jvm().start()) {
            Client client = new Client(agent);
            try {
                long idleRss = rssBytes(agent.pid());
                row("gRPC round trip of an empty call (Node.Health), for scale", client.roundTrips(rawTasks), "");
                client.container("sleeper", "raw", "");
                client.measure("sleeper", "warm-", WARM_UP, -1);
                client.deleteTasks("sleeper", "warm-", WARM_UP);
                Samples raw = client.measure("sleeper", "t-", rawTasks, 100);
                rawP50 = raw.api.p50();
                row("agent, raw runtime: Create+Start answered RUNNING", raw.api, "p50 < 20 ms");
                row("agent, raw runtime: of which Create", raw.create, "");
                row("agent, raw runtime: first output of the task", raw.up, "");
                notes.add(String.format(Locale.ROOT, "agent-side process launch (raw runtime), mean of its"
                        + " gantry_agent_task_start_latency_seconds over %d starts: %.1f ms", WARM_UP + rawTasks,
                        meanLaunchMillis(agent, "raw")));
                client.deleteTasks("sleeper", "t-", rawTasks);
                client.deleteContainer("sleeper");
                notes.add(String.format(Locale.ROOT, "agent RSS: idle %.1f MiB, with 100 running raw tasks %.1f MiB",
                        idleRss / 1048576.0, raw.rssAtMark / 1048576.0));

                String whyNoRunc = runcUnavailable();
                if (whyNoRunc == null) {
                    BusyboxImage.importInto(agent, NAMESPACE, "busybox:bench", BusyboxImage.tarball(root,
                            List.of("sh", "sleep", "echo")));
                    client.container("boxes", "runc", "busybox:bench");
                    client.measure("boxes", "warm-", 3, -1);
                    Samples runc = client.measure("boxes", "t-", runcTasks, -1);
                    runcUpP50 = runc.up.p50();
                    row("agent, runc runtime: Create+Start answered RUNNING", runc.api, "");
                    row("agent, runc runtime: first output of the container", runc.up, "p50 < 150 ms");
                    Path bundle = copyBundle(agent.dataDir.resolve("tasks-run").resolve(NAMESPACE).resolve("t-0")
                            .resolve("bundle"));
                    client.deleteTasks("boxes", "warm-", 3);
                    client.deleteTasks("boxes", "t-", runcTasks);
                    client.deleteContainer("boxes");
                    Series plain = plainRuncRuns(bundle, runcTasks);
                    plainRuncP50 = plain.p50();
                    row("runc run -d of the same bundle: first output", plain, "");
                } else {
                    notes.add("runc rows skipped: " + whyNoRunc);
                }
            } finally {
                client.close();
            }
        }
        String whyNoDocker = dockerUnavailable();
        if (whyNoDocker == null) {
            Series docker = dockerRuns(dockerRuns);
            dockerP50 = docker.p50();
            row("docker run --rm " + DOCKER_IMAGE + " true: exited", docker, "");
        } else {
            notes.add("docker row skipped: " + whyNoDocker);
        }
        if (rawP50 > 0 && dockerP50 > 0) {
            notes.add(String.format(Locale.ROOT, "docker run p50 / raw runtime p50 = %.1fx (target >= 10x)",
                    (double) dockerP50 / rawP50));
        }
        if (runcUpP50 > 0 && plainRuncP50 > 0) {
            notes.add(String.format(Locale.ROOT, "runc runtime p50 / runc run -d p50 = %.2fx", (double) runcUpP50
                    / plainRuncP50));
        }
        System.out.printf(Locale.ROOT, "%nnode agent start latency, nproc %d, load average before %s"
                + " (each start timed from its first request)%n%n"
                + "| measure | runs | p50 ms | p99 ms | target |%n|---|---:|---:|---:|---|%n%s%n%n%s%n%n",
                Runtime.getRuntime().availableProcessors(), loadBefore, String.join("\n", rows),
                String.join("\n", notes));
    }

    /** The agent's Containers and Tasks services in namespace {@value #NAMESPACE}, with deadlines on every call. */
    private final class Client {
        private final ManagedChannel channel;
        private final ContainersGrpc.ContainersBlockingStub containers;
        private final TasksGrpc.TasksBlockingStub tasks;
        private final AgentProcess agent;
        private final Metadata headers = new Metadata();

        Client(AgentProcess agent) {
            this.agent = agent;
            channel = ManagedChannelBuilder.forAddress("127.0.0.1", agent.port).usePlaintext().build();
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + agent.token);
            headers.put(Metadata.Key.of("gantry-namespace", Metadata.ASCII_STRING_MARSHALLER), NAMESPACE);
            containers = ContainersGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            tasks = TasksGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        }

        /** What a call costs without any work behind it: the transport, and the machine's scheduling. */
        Series roundTrips(int count) {
            NodeGrpc.NodeBlockingStub node = NodeGrpc.newBlockingStub(channel).withInterceptors(
                    MetadataUtils.newAttachHeadersInterceptor(headers));
            for (int i = 0; i < WARM_UP; i++) {
                node.withDeadlineAfter(10, TimeUnit.SECONDS).health(HealthRequest.getDefaultInstance());
            }
            Series series = new Series();
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                node.withDeadlineAfter(10, TimeUnit.SECONDS).health(HealthRequest.getDefaultInstance());
                series.add(System.nanoTime() - t0);
            }
            return series;
        }

        void container(String id, String runtime, String image) {
            containers.withDeadlineAfter(10, TimeUnit.SECONDS).create(CreateContainerRequest.newBuilder().setId(id)
                    .setSpec(ContainerSpec.newBuilder().addAllCommand(COMMAND).setImage(image).setRuntime(runtime)
                            .setReplicas(1).setKind("SERVICE")).build());
        }

        /** Creates and starts {@code count} tasks one after the other; with {@code rssMark} > 0, reads the agent's RSS after that many. */
        Samples measure(String container, String prefix, int count, int rssMark) throws Exception {
            Samples samples = new Samples();
            for (int i = 0; i < count; i++) {
                String id = prefix + i;
                Path stdout = agent.dataDir.resolve("tasks-run").resolve(NAMESPACE).resolve(id).resolve("stdout.log");
                long t0 = System.nanoTime();
                tasks.withDeadlineAfter(10, TimeUnit.SECONDS).create(CreateTaskRequest.newBuilder()
                        .setContainerId(container).setTaskId(id).build());
                samples.create.add(System.nanoTime() - t0);
                TaskStatus status = tasks.withDeadlineAfter(10, TimeUnit.SECONDS)
                        .start(StartTaskRequest.newBuilder().setTaskId(id).build()).getTask().getStatus();
                long api = System.nanoTime() - t0;
                assertThat(status).as("task %s", id).isEqualTo(TaskStatus.TASK_STATUS_RUNNING);
                awaitOutput(stdout, id);
                samples.api.add(api);
                samples.up.add(System.nanoTime() - t0);
                if (i + 1 == rssMark) {
                    samples.rssAtMark = rssBytes(agent.pid());
                }
            }
            return samples;
        }

        /** Deletes tasks four at a time (each waits for its process to end), outside any timing. */
        void deleteTasks(String container, String prefix, int count) throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    String id = prefix + i;
                    done.add(pool.submit(() -> tasks.withDeadlineAfter(30, TimeUnit.SECONDS)
                            .delete(DeleteTaskRequest.newBuilder().setTaskId(id).build())));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
        }

        void deleteContainer(String id) {
            containers.withDeadlineAfter(10, TimeUnit.SECONDS).delete(DeleteContainerRequest.newBuilder().setId(id).build());
        }

        void close() {
            channel.shutdownNow();
        }
    }

    private static final class Samples {
        final Series create = new Series();
        final Series api = new Series();
        final Series up = new Series();
        long rssAtMark;
    }

    /** Durations in nanoseconds; percentiles by nearest rank. */
    private static final class Series {
        private final List<Long> nanos = new ArrayList<>();

        void add(long value) {
            nanos.add(value);
        }

        int size() {
            return nanos.size();
        }

        long p50() {
            return percentile(50);
        }

        long percentile(int p) {
            List<Long> sorted = new ArrayList<>(nanos);
            Collections.sort(sorted);
            return sorted.get(Math.max(0, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
        }
    }

    private void row(String what, Series s, String target) {
        rows.add(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %s |", what, s.size(), s.p50() / 1e6,
                s.percentile(99) / 1e6, target));
    }

    /**
     * {@code runc run -d} (create + start) of a copy of the bundle the agent generated, timed until the
     * container's first output; each container is then killed and deleted outside the timing.
     */
    private Series plainRuncRuns(Path bundle, int runs) throws Exception {
        Path state = root.resolve("runc-plain");
        Series series = new Series();
        for (int i = -3; i < runs; i++) {
            String id = "bench-plain-" + (i + 3);
            Path out = root.resolve("plain-" + (i + 3) + ".log");
            long t0 = System.nanoTime();
            Process runc = new ProcessBuilder("runc", "--root", state.toString(), "run", "-d", "--bundle",
                    bundle.toString(), id).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
            assertThat(runc.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(runc.exitValue()).as("runc run -d: %s", Files.readString(out)).isZero();
            awaitOutput(out, id);
            long elapsed = System.nanoTime() - t0;
            if (i >= 0) {
                series.add(elapsed);
            }
            run(List.of("runc", "--root", state.toString(), "kill", id, "KILL"));
            run(List.of("runc", "--root", state.toString(), "delete", "--force", id));
        }
        return series;
    }

    /** Same command, rootfs and namespaces; the runc state root differs, so the id space is the bench's own. */
    private Path copyBundle(Path agentBundle) throws IOException {
        Path bundle = Files.createDirectories(root.resolve("plain-bundle"));
        Files.copy(agentBundle.resolve("config.json"), bundle.resolve("config.json"));
        return bundle;
    }

    private static Series dockerRuns(int runs) throws Exception {
        Series series = new Series();
        String docker = docker();
        for (int i = -1; i < runs; i++) {
            long t0 = System.nanoTime();
            assertThat(run(List.of(docker, "run", "--rm", DOCKER_IMAGE, "true"))).as("docker run").isZero();
            if (i >= 0) {
                series.add(System.nanoTime() - t0);
            }
        }
        return series;
    }

    /** Polls the log file the task's stdout goes to until its first line is there. */
    private static void awaitOutput(Path file, String what) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(file) || Files.size(file) == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " wrote nothing to " + file + " within 30 s");
            }
            LockSupport.parkNanos(100_000);
        }
    }

    private static String runcUnavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "the agent offers runc only when it runs as root";
        }
        if (onPath("runc") == null) {
            return "runc is not installed (apt-get install -y runc)";
        }
        if (!Files.isExecutable(BusyboxImage.BUSYBOX)) {
            return "no /bin/busybox for the image (apt-get install -y busybox-static)";
        }
        return null;
    }

    private static String dockerUnavailable() throws Exception {
        String docker = docker();
        if (docker == null) {
            return "docker is not installed (sudo bash scripts/swarm-test-env.sh)";
        }
        if (run(List.of(docker, "image", "inspect", DOCKER_IMAGE)) != 0) {
            return "dockerd does not answer or has no image " + DOCKER_IMAGE + " (sudo bash scripts/swarm-test-env.sh)";
        }
        return null;
    }

    /** Debian's client first: it matches the daemon's API version (as scripts/swarm-test-env.sh chooses). */
    private static String docker() {
        return Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : onPath("docker");
    }

    private static String onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return Path.of(dir, command).toString();
            }
        }
        return null;
    }

    private static int run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    /** Sum / count of the agent's start-latency histogram for one runtime, read from its metrics endpoint. */
    private static double meanLaunchMillis(AgentProcess agent, String runtime) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + agent.metricsPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        String name = "gantry_agent_task_start_latency_seconds";
        String labels = "{runtime=\"" + runtime + "\"} ";
        double sum = Double.NaN;
        double count = Double.NaN;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + "_sum" + labels)) {
                sum = Double.parseDouble(line.substring((name + "_sum" + labels).length()));
            } else if (line.startsWith(name + "_count" + labels)) {
                count = Double.parseDouble(line.substring((name + "_count" + labels).length()));
            }
        }
        return sum / count * 1000;
    }

    private static long rssBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
