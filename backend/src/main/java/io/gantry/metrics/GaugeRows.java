package io.gantry.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One gauge per tag set whose values are replaced as a whole on each recomputation: a tag set seen again keeps its
 * gauge and only its value changes; one no longer seen is removed. Micrometer's {@code MultiGauge.register(rows,
 * true)} removes and re-adds every row's gauge instead, and a Prometheus scrape running meanwhile saw a series twice
 * (a 500: {@code DuplicateLabelsException}, micrometer issue 6851, unfixed in 1.16) or not at all; the bench's
 * scrapes met that once 50 engines were recomputed after every sync. Not thread-safe: callers serialize {@link #set}.
 */
final class GaugeRows {
    private final String name;
    private final String description;
    private final MeterRegistry registry;
    private final Map<Tags, Row> rows = new HashMap<>();

    private record Row(AtomicLong value, Gauge gauge) {
    }

    GaugeRows(String name, String description, MeterRegistry registry) {
        this.name = name;
        this.description = description;
        this.registry = registry;
    }

    /** Makes the series exactly {@code values}: new tag sets are registered, gone ones removed, the rest updated. */
    void set(Map<Tags, Long> values) {
        values.forEach((tags, value) -> rows.computeIfAbsent(tags, this::register).value().set(value));
        rows.entrySet().removeIf(row -> {
            boolean gone = !values.containsKey(row.getKey());
            if (gone) {
                registry.remove(row.getValue().gauge());
            }
            return gone;
        });
    }

    private Row register(Tags tags) {
        AtomicLong value = new AtomicLong();
        // the gauge holds its value strongly: Micrometer's gauges hold their object only weakly
        Gauge gauge = Gauge.builder(name, value, AtomicLong::get).strongReference(true).description(description)
                .tags(tags).register(registry);
        return new Row(value, gauge);
    }
}
