package io.gantry.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineChange;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * An engine whose watch is open is pinged every interval but listed in full only every {@code watched-resync}, when
 * the watch reports a gap, or when asked to; an engine that cannot be watched is listed every interval. (At
 * 1,000,000 workloads on 50 engines, listing every engine every interval kept one of two cores busy.)
 */
@TestPropertySource(properties = {"gantry.sync.interval=200ms", "gantry.sync.watched-resync=1h"})
class WatchedResyncIT extends IntegrationTest {

    @Test
    void aWatchedEngineIsPingedEveryIntervalAndListedOnlyWhenItsWatchSaysSoOrWhenAsked() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("watched-rs");
        fake.putQuietly(FakeEngine.workload("shop", "api", "api:1", 1, Map.of()));
        String id = Engines.register(api, "watched-rs", Map.of());
        Engines.awaitStatus(api, id, "UP");
        await().atMost(Duration.ofSeconds(5)).until(() -> listings(fake) == 1 && fake.watcherCount() == 1);

        int pings = fake.pingTimes().size();
        await().atMost(Duration.ofSeconds(10)).until(() -> fake.pingTimes().size() >= pings + 5);
        assertThat(listings(fake)).as("listings while the watch is open").isEqualTo(1);

        fake.emit(new EngineChange.ResyncRequired("the stream had a gap"));
        await().atMost(Duration.ofSeconds(5)).until(() -> listings(fake) == 2);

        Api.Response accepted = api.post("/api/v1/engines/" + id + "/sync", null);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String operation = accepted.json().get("id").asString();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                api.get("/api/v1/operations/" + operation).json().get("state").asString().equals("SUCCEEDED"));
        assertThat(listings(fake)).isEqualTo(3);
    }

    @Test
    void anEngineThatCannotBeWatchedIsListedEveryInterval() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("unwatched-rs");
        fake.without(Capability.WATCH);
        fake.putQuietly(FakeEngine.workload("shop", "api", "api:1", 1, Map.of()));
        String id = Engines.register(api, "unwatched-rs", Map.of());
        Engines.awaitStatus(api, id, "UP");
        await().atMost(Duration.ofSeconds(10)).until(() -> listings(fake) >= 5);
        assertThat(fake.watcherCount()).isZero();
    }

    private static long listings(FakeEngine fake) {
        return fake.calls().stream().filter("list"::equals).count();
    }
}
