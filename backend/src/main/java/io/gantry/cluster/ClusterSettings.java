package io.gantry.cluster;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Timing of engine leases, as in Kubernetes leader election.
 *
 * @param leaseDuration how long a lease (and a replica's heartbeat) counts without renewal
 * @param renewInterval how often an owner renews its leases and beats
 * @param retryInterval how often a replica looks for engines to take (free, expired, or its fair share)
 */
@ConfigurationProperties("gantry.cluster")
public record ClusterSettings(Duration leaseDuration, Duration renewInterval, Duration retryInterval) {
    public ClusterSettings {
        leaseDuration = leaseDuration == null ? Duration.ofSeconds(15) : leaseDuration;
        renewInterval = renewInterval == null ? Duration.ofSeconds(10) : renewInterval;
        retryInterval = retryInterval == null ? Duration.ofSeconds(2) : retryInterval;
    }
}
