package io.gantry.sync;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param interval       time between pings of an engine, and between full resyncs of one that is not watched
 * @param watchedResync  time between full resyncs of an engine whose watch is open
 * @param initialBackoff ceiling of the first retry delay once an engine is DOWN; doubles on every failure (see Backoff)
 * @param maxBackoff     cap of the retry delay
 * @param listCap        the longest a full listing may take while it keeps making progress (each silence is bounded
 *                       by the engine's call timeout); generous, for it only catches an engine that trickles forever
 */
@ConfigurationProperties("gantry.sync")
record SyncSettings(Duration interval, Duration watchedResync, Duration initialBackoff, Duration maxBackoff,
                    Duration listCap) {
    SyncSettings {
        interval = interval == null ? Duration.ofSeconds(30) : interval;
        watchedResync = watchedResync == null ? Duration.ofMinutes(10) : watchedResync;
        initialBackoff = initialBackoff == null ? Duration.ofSeconds(1) : initialBackoff;
        maxBackoff = maxBackoff == null ? Duration.ofSeconds(60) : maxBackoff;
        listCap = listCap == null ? Duration.ofMinutes(15) : listCap;
    }
}
