package io.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InvalidSpecException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The error channel's Status as the kubelet writes it (no kind), and the frames Gantry sends. */
class ExecChannelsTest {

    @Test
    void successIsExitCodeZero() {
        assertThat(ExecChannels.outcome("{\"metadata\":{},\"status\":\"Success\"}", "sh", "web-0"))
                .isEqualTo(new ExecChannels.Exited(0));
    }

    @Test
    void aNonZeroExitCarriesItsCode() {
        String status = "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit code: "
                + "error executing command [sh -c exit 7], exit code 7\",\"reason\":\"NonZeroExitCode\","
                + "\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"7\"}]}}";
        assertThat(ExecChannels.outcome(status, "sh", "web-0")).isEqualTo(new ExecChannels.Exited(7));
    }

    @Test
    void aCommandTheRuntimeCannotStartNamesCommand() {
        String status = "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"Internal error occurred: error executing "
                + "command in container: failed to exec in container: failed to start exec \\\"4f1c\\\": OCI runtime exec "
                + "failed: exec failed: unable to start container process: exec: \\\"bash\\\": executable file not found "
                + "in $PATH: unknown\",\"reason\":\"InternalError\",\"code\":500}";
        ExecChannels.Outcome outcome = ExecChannels.outcome(status, "bash", "web-0");
        assertThat(outcome).isInstanceOfSatisfying(ExecChannels.Failed.class, failed -> {
            assertThat(failed.failure()).isInstanceOf(InvalidSpecException.class).hasMessageContaining("'bash'")
                    .hasMessageContaining("web-0");
            assertThat(((InvalidSpecException) failed.failure()).errors()).extracting(InvalidSpecException.FieldError::field)
                    .containsExactly("command");
        });
    }

    @Test
    void anotherFailureIsTheEngines() {
        String status = "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"error dialing backend: dial tcp 10.0.0.7:10250: "
                + "i/o timeout\",\"reason\":\"InternalError\",\"code\":500}";
        assertThat(ExecChannels.outcome(status, "sh", "web-0")).isInstanceOfSatisfying(ExecChannels.Failed.class,
                failed -> assertThat(failed.failure()).isInstanceOf(EngineUnavailableException.class)
                        .hasMessageContaining("i/o timeout"));
    }

    @Test
    void plainTextOnTheErrorChannelIsAFailureToo() {
        assertThat(ExecChannels.outcome("container not found (\"main\")", "sh", "web-0"))
                .isInstanceOfSatisfying(ExecChannels.Failed.class,
                        failed -> assertThat(failed.failure()).hasMessageContaining("container not found"));
    }

    @Test
    void framesStartWithTheirChannel() {
        assertThat(ExecChannels.frame(ExecChannels.STDIN, "ls\n".getBytes(StandardCharsets.UTF_8)))
                .containsExactly(0, 'l', 's', '\n');
        assertThat(new String(ExecChannels.resize(120, 40), StandardCharsets.US_ASCII))
                .isEqualTo("\u0004{\"Width\":120,\"Height\":40}");
        assertThat(ExecChannels.closeStdin()).containsExactly(0xff, 0);
    }
}
