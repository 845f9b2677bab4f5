package io.gantry.spi.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecRequestTest {

    @Test
    void aCommandIsNeeded() {
        assertThatThrownBy(() -> ExecRequest.plain(List.of())).hasMessageContaining("command");
        assertThatThrownBy(() -> ExecRequest.plain(List.of(" "))).hasMessageContaining("command");
    }

    @Test
    void aTerminalHasAtLeastOneCell() {
        assertThatThrownBy(() -> ExecRequest.terminal(List.of("sh"), 0, 24)).hasMessageContaining("column");
        assertThat(ExecRequest.terminal(List.of("sh"), 1, 1).tty()).isTrue();
    }

    @Test
    void theCommandIsCopied() {
        List<String> argv = new ArrayList<>(List.of("sh"));
        ExecRequest request = ExecRequest.plain(argv);
        argv.add("-c");
        assertThat(request.command()).containsExactly("sh");
        assertThat(request.tty()).isFalse();
    }
}
