package io.gantry.history;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param samplePeriod time between two samples of engine totals and of measured usage
 * @param retention    how long history is kept; also the longest {@code since} the API answers
 * @param prunePeriod  time between two prunings of rows older than the retention
 */
@ConfigurationProperties("gantry.history")
record HistorySettings(Duration samplePeriod, Duration retention, Duration prunePeriod) {
    HistorySettings {
        samplePeriod = samplePeriod == null ? Duration.ofSeconds(30) : samplePeriod;
        retention = retention == null ? Duration.ofDays(7) : retention;
        prunePeriod = prunePeriod == null ? Duration.ofHours(1) : prunePeriod;
    }
}
