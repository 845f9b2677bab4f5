package io.gantry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The scale bench's full run (50 engines) stopped when {@code /actuator/prometheus} answered 500: the workload and
 * engine gauges are recomputed after every sync and status change, and a scrape that ran while they were being
 * replaced saw a series twice (Prometheus' {@code DuplicateLabelsException}, micrometer issue 6851). Many engines
 * make many series and many recomputations: scrapes must keep answering while they happen.
 */
class ScrapeWhileRefreshingIT extends IntegrationTest {
    private static final int ENGINES = 40;
    private static final int SCRAPES = 1000;

    @Autowired
    GantryMetrics metrics;

    @Test
    void scrapesAnswerWhileTheGaugesAreRecomputed() throws Exception {
        Api api = api();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < ENGINES; i++) {
            String name = "scrape-" + i;
            FakeEngine fake = FakeEngine.named(name);
            // three phases: three series of gantry_workloads per engine
            fake.putQuietly(FakeEngine.workload("", "web", "nginx:1.27", 2, Map.of()));
            fake.putQuietly(FakeEngine.workload("", "half", "nginx:1.27", 2, 1, Map.of()));
            fake.putQuietly(FakeEngine.workload("", "idle", "nginx:1.27", 0, Map.of()));
            ids.add(Engines.register(api, name, Map.of()));
        }
        ids.forEach(id -> Engines.awaitStatus(api, id, "UP"));
        metrics.refresh();
        assertThat(api.get("/actuator/prometheus").body()).contains("gantry_workloads{engine=\"scrape-" + (ENGINES - 1) + "\"");

        AtomicBoolean scraping = new AtomicBoolean(true);
        AtomicReference<Throwable> refreshFailed = new AtomicReference<>();
        Thread refresher = new Thread(() -> {
            try {
                while (scraping.get()) {
                    metrics.refresh();
                }
            } catch (Throwable t) {
                refreshFailed.set(t);
            }
        }, "scrape-it-refresher");
        refresher.setDaemon(true);
        refresher.start();
        List<String> failures = new ArrayList<>();
        try {
            for (int i = 0; i < SCRAPES; i++) {
                Api.Response r = api.get("/actuator/prometheus");
                if (r.status() != 200) {
                    failures.add(r.status() + ": " + r.body());
                } else {
                    assertThat(r.body()).contains("gantry_engine_up{engine=\"scrape-0\"");
                }
            }
        } finally {
            scraping.set(false);
            refresher.join(10_000);
        }
        assertThat(refreshFailed.get()).isNull();
        assertThat(failures).as("scrapes that failed while the gauges were recomputed").isEmpty();
    }
}
