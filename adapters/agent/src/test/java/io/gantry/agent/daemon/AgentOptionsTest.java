package io.gantry.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgentOptionsTest {

    @Test
    void parsesTheDocumentedCommandLine() {
        AgentOptions o = AgentOptions.parse(new String[] {"--listen", "127.0.0.1:7443", "--token", "T", "--data-dir",
                "/var/lib/gantry-agent", "--metrics-listen", "127.0.0.1:9102", "--label", "zone=a", "--label", "disk=ssd",
                "--stop-grace-seconds", "3"});
        assertThat(o.listen().getPort()).isEqualTo(7443);
        assertThat(o.token()).isEqualTo("T");
        assertThat(o.dataDir()).isEqualTo(Path.of("/var/lib/gantry-agent"));
        assertThat(o.metricsListen().getPort()).isEqualTo(9102);
        assertThat(o.labels()).containsEntry("zone", "a").containsEntry("disk", "ssd");
        assertThat(o.advertiseHost()).isEqualTo("127.0.0.1");
        assertThat(o.stopGrace()).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.tls()).isFalse();
        assertThat(o.toString()).doesNotContain("T,").doesNotContain("token");
        assertThat(o.allowRaw()).as("the raw runtime is off unless asked for").isFalse();
        assertThat(o.taskUser()).isEqualTo("nobody");
        assertThat(o.taskDir()).as("the default under java.io.tmpdir").isNull();
    }

    @Test
    void theRawRuntimeTaskUserAndTaskDirAreOptIn() {
        AgentOptions o = AgentOptions.parse(new String[] {"--token", "T", "--data-dir", "/var/lib/gantry-agent",
                "--allow-raw-runtime", "--task-user", "gantry-task", "--task-dir", "/srv/gantry-tasks"});
        assertThat(o.allowRaw()).isTrue();
        assertThat(o.taskUser()).isEqualTo("gantry-task");
        assertThat(o.taskDir()).isEqualTo(Path.of("/srv/gantry-tasks"));
        assertThat(AgentOptions.loopback(0, "T", Path.of("/d")).allowRaw())
                .as("the embedded agent's default: it runs for whoever started the server").isTrue();
        assertThat(AgentOptions.loopback(0, "T", Path.of("/d")).withRaw(false).allowRaw()).isFalse();
    }

    @Test
    void rejectsIncompleteOrUnknownOptions() {
        assertThatThrownBy(() -> AgentOptions.parse(new String[] {"--data-dir", "/d"}))
                .hasMessageContaining("token is required");
        assertThatThrownBy(() -> AgentOptions.parse(new String[] {"--token", "T"}))
                .hasMessageContaining("--data-dir is required");
        assertThatThrownBy(() -> AgentOptions.parse(new String[] {"--token", "T", "--data-dir", "/d", "--tls-cert", "c"}))
                .hasMessageContaining("--tls-cert and --tls-key go together");
        assertThatThrownBy(() -> AgentOptions.parse(new String[] {"--token", "T", "--data-dir", "/d", "--colour", "x"}))
                .hasMessageContaining("unknown option(s): --colour");
        assertThatThrownBy(() -> AgentOptions.parse(new String[] {"--token", "T", "--data-dir", "/d", "--listen", "7443"}))
                .hasMessageContaining("HOST:PORT");
    }
}
