package io.gantry.agent.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.agent.runtime.Proc;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineRuntime;
import io.gantry.spi.Instance;
import io.gantry.spi.InstanceState;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runc runtime: a rootfs made from busybox-static, imported into the agent and run as an OCI bundle. */
class RuncRuntimeIT {
    @TempDir
    Path root;

    @Test
    void anImportedImageRunsUnderRuncAndLeavesNothingBehind() throws Exception {
        BusyboxImage.requireRuncAndBusybox();

        // started as a standalone agent is by default: runc only, no raw runtime
        try (AgentProcess agent = new AgentProcess(root.resolve("agent")).withoutRaw().start();
             EngineClient client = agent.client()) {
            BusyboxImage.importInto(agent, "oci", "busybox:it", BusyboxImage.tarball(root,
                    List.of("sh", "httpd", "hostname", "sleep", "echo", "id", "env", "cat", "grep")));
            assertThat(client.runtimes()).containsExactly(new EngineRuntime("runc", false));

            Workload deployed = client.deploy(new WorkloadDefinition("oci", "box", WorkloadKind.SERVICE, Map.of(),
                    new WorkloadSpec("busybox:it", List.of("/bin/sh", "-c"),
                            List.of("echo hello from $(hostname); exec httpd -f -p $PORT0 -h /tmp"), null,
                            List.of(PortMapping.tcp(80)), null, 1, null, null, null)));
            assertThat(deployed.spec().runtime()).as("runc is the default for an imported image").isEqualTo("runc");
            long runcPid = Long.parseLong(Files.readString(agent.dataDir.resolve("tasks/oci/box-0.json"))
                    .replaceAll("(?s).*\"pid\": \"(\\d+)\".*", "$1"));
            List<Long> tree = Proc.tree(runcPid).stream().map(Proc.Stat::pid).toList();
            assertThat(tree).as("RUNNING once started: runc and the container's process").hasSizeGreaterThanOrEqualTo(2);
            Instance instance = await(() -> client.getWorkload("oci/box").flatMap(w -> w.instances().stream()
                    .filter(i -> i.state() == InstanceState.RUNNING).findFirst()));

            HttpResponse<String> response = awaitHttp("http://" + instance.address() + "/",
                    () -> client.logs("oci/box", 20).toString());
            assertThat(response.statusCode()).as("busybox httpd answers (nothing to serve)").isEqualTo(404);
            assertThat(await(() -> client.logs("oci/box", 10).stream()
                    .filter(l -> l.text().equals("hello from box-0")).findAny())).isNotNull();

            client.delete("oci/box");
            assertThat(tree).allSatisfy(pid -> assertThat(Proc.stat(pid).filter(Proc.Stat::running)).isEmpty());
            Process list = new ProcessBuilder("runc", "--root", agent.dataDir.resolve("runc").toString(), "list", "-q")
                    .redirectErrorStream(true).start();
            assertThat(new String(list.getInputStream().readAllBytes()).trim()).as("runc containers left").isEmpty();

            // a command the image lacks: runc fails before the container starts, and the deploy says why
            assertThatThrownBy(() -> client.deploy(new WorkloadDefinition("oci", "ghost", WorkloadKind.SERVICE, Map.of(),
                    new WorkloadSpec("busybox:it", List.of("/bin/no-such-command"), null, null, null, null, 1, null,
                            null, null))))
                    .isInstanceOf(InvalidSpecException.class)
                    .hasMessageContaining("before the container started")
                    .hasMessageContaining("no-such-command");
            assertThat(client.getWorkload("oci/ghost")).as("nothing half-deployed").isEmpty();
        }
    }

    /** Issue 13: a runc task runs as the task user, without capabilities, with nothing of the agent's environment. */
    @Test
    void aRuncTaskRunsUnprivilegedWithACleanEnvironment() throws Exception {
        BusyboxImage.requireRuncAndBusybox();

        try (AgentProcess agent = new AgentProcess(root.resolve("agent")).withoutRaw().start();
             EngineClient client = agent.client()) {
            BusyboxImage.importInto(agent, "oci", "busybox:it", BusyboxImage.tarball(root,
                    List.of("sh", "echo", "id", "env", "cat", "grep")));
            Path state = agent.dataDir.resolve("containers/oci/peek.json");
            WorkloadSpec peek = new WorkloadSpec("busybox:it", List.of("/bin/sh", "-c"), List.of("echo uid=$(id -u);"
                    + " grep CapEff /proc/self/status; env; cat " + state + " && echo state-read || echo state-denied"),
                    Map.of("FROM_SPEC", "yes"), null, null, 1, null, null, null);
            assertThat(client.privilegedRuntime(peek)).as("runc is not privileged").isEmpty();
            client.deploy(new WorkloadDefinition("oci", "peek", WorkloadKind.JOB, Map.of(), peek));

            String out = await(() -> {
                String text = String.join("\n", client.logs("oci/peek", 100).stream().map(l -> l.text()).toList());
                return text.contains("state-") ? java.util.Optional.of(text) : java.util.Optional.empty();
            });
            assertThat(out).as(out).contains("uid=65534").contains("state-denied").doesNotContain("state-read")
                    .containsPattern("CapEff:\\s+0+\\b");
            List<String> names = out.lines().filter(l -> l.matches("[A-Za-z_][A-Za-z0-9_]*=.*"))
                    .map(l -> l.substring(0, l.indexOf('='))).toList();
            assertThat(names).contains("FROM_SPEC", "GANTRY_TASK_ID", "PATH", "HOME", "LANG")
                    .doesNotContain("GANTRY_AGENT_TOKEN", "JAVA_HOME", "USER", "LOGNAME", "MAVEN_OPTS", "CI");
            client.delete("oci/peek");

            // raw is off on this agent: a spec that would run as a host process is refused, naming the runtime
            WorkloadSpec host = new WorkloadSpec(null, List.of("id"), null, null, null, null, 1, null, null, null);
            assertThatThrownBy(() -> client.privilegedRuntime(host)).isInstanceOf(InvalidSpecException.class)
                    .hasMessageContaining("--allow-raw-runtime")
                    .satisfies(e -> assertThat(((InvalidSpecException) e).errors())
                            .anySatisfy(f -> assertThat(f.field()).isEqualTo("spec.runtime")));
            assertThatThrownBy(() -> client.deploy(new WorkloadDefinition("oci", "host", WorkloadKind.JOB, Map.of(),
                    host))).isInstanceOf(InvalidSpecException.class).hasMessageContaining("raw is not available");
        }
    }

    private static HttpResponse<String> awaitHttp(String url, java.util.function.Supplier<String> diagnosis)
            throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("nothing answered on " + url + "; task output: " + diagnosis.get(), notYet);
                }
                Thread.sleep(100);
            }
        }
    }

    private static <T> T await(java.util.function.Supplier<java.util.Optional<T>> probe) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            java.util.Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("condition not met within 20 s");
    }
}
