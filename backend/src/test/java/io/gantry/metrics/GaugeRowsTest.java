package io.gantry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class GaugeRowsTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final GaugeRows rows = new GaugeRows("gantry.workloads", "test", registry);

    @Test
    void theSeriesAreExactlyTheLastValuesSet() {
        rows.set(Map.of(tags(1), 5L, tags(2), 7L));
        rows.set(Map.of(tags(2), 8L, tags(3), 1L));

        String text = registry.scrape();
        assertThat(text).doesNotContain("engine=\"e-1\"")
                .containsPattern("gantry_workloads\\{engine=\"e-2\",phase=\"RUNNING\"} 8(\\.0)?\n")
                .containsPattern("gantry_workloads\\{engine=\"e-3\",phase=\"RUNNING\"} 1(\\.0)?\n");
    }

    @Test
    void scrapesWhileTheValuesAreReplacedSeeEverySeriesOnce() throws Exception {
        Map<Tags, Long> values = new HashMap<>();
        for (int i = 0; i < 150; i++) {
            values.put(tags(i), (long) i);
        }
        rows.set(values);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread setter = new Thread(() -> {
            while (running.get()) {
                rows.set(values);
            }
        }, "gauge-rows-setter");
        setter.start();
        List<String> failures = new ArrayList<>();
        try {
            long end = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < end && failures.size() < 5) {
                try {
                    String text = registry.scrape();
                    // every series, exactly once (MultiGauge's remove-and-add showed some twice or not at all)
                    long series = text.lines().filter(l -> l.startsWith("gantry_workloads{")).count();
                    if (series != values.size()) {
                        failures.add(series + " series");
                    }
                } catch (RuntimeException e) {
                    failures.add(e.toString());
                }
            }
        } finally {
            running.set(false);
            setter.join();
        }
        assertThat(failures).isEmpty();
    }

    private static Tags tags(int engine) {
        return Tags.of("engine", "e-" + engine, "phase", "RUNNING");
    }
}
