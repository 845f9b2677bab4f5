package io.gantry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ScaleOptionsTest {
    @Test
    void defaultsAreTheIssuesScale() {
        ScaleOptions o = ScaleOptions.parse(new String[] {"server.jar", "bench.jar"});
        assertThat(o.engines()).isEqualTo(50);
        assertThat(o.perEngine()).isEqualTo(20_000);
        assertThat(o.workloads()).isEqualTo(1_000_000);
        assertThat(o.streamClients()).isEqualTo(1_000);
    }

    @Test
    void flagsMakeItSmaller() {
        ScaleOptions o = ScaleOptions.parse(new String[] {"s", "b", "--engines", "5", "--per-engine", "2,000",
                "--stream-clients", "100", "--resyncs", "9"});
        assertThat(o.workloads()).isEqualTo(10_000);
        assertThat(o.streamClients()).isEqualTo(100);
        assertThat(o.resyncs()).as("no more resyncs than engines").isEqualTo(5);
    }

    @Test
    void refusesUnknownOrEmptyFlags() {
        assertThatThrownBy(() -> ScaleOptions.parse(new String[] {"s", "b", "--engine", "5"}))
                .hasMessageContaining("--engine");
        assertThatThrownBy(() -> ScaleOptions.parse(new String[] {"s", "b", "--engines", "0"}))
                .hasMessageContaining("at least 1");
    }
}
