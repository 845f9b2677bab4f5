package io.gantry.stream;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code gantry.logs.*}: limits of log follows ({@code GET /api/v1/workloads/{id}/logs?follow=true}),
 * counted apart from the live streams.
 *
 * @param followsPerUser open log follows per user; the next one is a 429
 * @param followsTotal   open log follows of all users on this replica
 */
@ConfigurationProperties("gantry.logs")
record FollowSettings(Integer followsPerUser, Integer followsTotal) {
    FollowSettings {
        followsPerUser = StreamSettings.positive(followsPerUser, 8, "gantry.logs.follows-per-user");
        followsTotal = StreamSettings.positive(followsTotal, 200, "gantry.logs.follows-total");
    }
}
