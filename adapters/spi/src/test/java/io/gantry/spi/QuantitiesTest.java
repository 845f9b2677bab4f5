package io.gantry.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class QuantitiesTest {

    @ParameterizedTest
    @CsvSource({"500m,500", "1.5,1500", "0.5,500", "2,2000", "0.1,100", "250m,250", "100000u,100", "1n,1", "1e-1,100"})
    void cpuQuantitiesAreExactMillicores(String quantity, long millis) {
        assertThat(Quantities.parseCpuMillis(quantity)).isEqualTo(millis);
    }

    @ParameterizedTest
    @CsvSource({"256Mi,268435456", "1G,1000000000", "1Gi,1073741824", "1.5Gi,1610612736", "128974848,128974848",
            "129e6,129000000", "123Mi,128974848", "1k,1000", "1Ki,1024", "0.5Mi,524288"})
    void memoryQuantitiesAreExactBytes(String quantity, long bytes) {
        assertThat(Quantities.parseMemoryBytes(quantity)).isEqualTo(bytes);
    }

    @Test
    void engineNativeUnitsConvertExactly() {
        assertThat(Quantities.coresToMillis(0.5)).isEqualTo(500);
        assertThat(Quantities.coresToMillis(0.1)).isEqualTo(100);
        assertThat(Quantities.mebibytesToBytes(256)).isEqualTo(268_435_456L);
        assertThat(Quantities.mebibytesToBytes(0.5)).isEqualTo(524_288L);
        assertThat(Quantities.nanoCpusToMillis(500_000_000L)).isEqualTo(500);
        assertThat(Quantities.millisToNanoCpus(250)).isEqualTo(250_000_000L);
        assertThat(Quantities.millisToCores(500)).isEqualByComparingTo("0.5");
        assertThat(Quantities.bytesToMebibytes(268_435_456L)).isEqualByComparingTo("256");
    }

    @Test
    void formatsRoundTrip() {
        assertThat(Quantities.formatCpu(500)).isEqualTo("500m");
        assertThat(Quantities.formatCpu(2000)).isEqualTo("2");
        assertThat(Quantities.formatMemory(268_435_456L)).isEqualTo("256Mi");
        assertThat(Quantities.formatMemory(1_610_612_736L)).isEqualTo("1536Mi");
        assertThat(Quantities.formatMemory(1000)).isEqualTo("1000");
        assertThat(Quantities.parseMemoryBytes(Quantities.formatMemory(1_610_612_736L))).isEqualTo(1_610_612_736L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "1.5Xi", "-1", "5 cores", "1e400"})
    void rejectsWhatIsNotAQuantity(String quantity) {
        assertThatThrownBy(() -> Quantities.parseMemoryBytes(quantity)).isInstanceOf(IllegalArgumentException.class);
    }
}
