package io.gantry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.Subscription;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SyntheticEngineAdapterTest {
    private final SyntheticEngineAdapter adapter = new SyntheticEngineAdapter();

    @Test
    void listsInBatchesTheSameWorkloadsAsAtOnce() {
        try (EngineClient client = adapter.connect(connection("synthetic://2500"))) {
            List<List<Workload>> batches = new ArrayList<>();
            long[] expected = {-1};
            client.listWorkloads(new WorkloadSink() {
                @Override
                public void expect(long total) {
                    expected[0] = total;
                }

                @Override
                public void accept(List<Workload> batch) {
                    batches.add(batch);
                }
            });
            assertThat(expected[0]).isEqualTo(2500);
            assertThat(batches).extracting(List::size).containsExactly(1000, 1000, 500);
            assertThat(batches.stream().flatMap(List::stream).toList()).isEqualTo(client.listWorkloads());
        }
    }

    @Test
    void pushesTimestampedChangesOfItsFirstWorkloadUntilUnsubscribed() throws Exception {
        try (EngineClient client = adapter.connect(connection("synthetic://10?push=20"))) {
            assertThat(client.capabilities()).as("the server watches only engines that say so").contains(Capability.WATCH);
            RecordingListener listener = new RecordingListener();
            long before = System.currentTimeMillis();
            Subscription subscription = client.watch(listener);
            Workload pushed = listener.awaitChanged("ns-0/svc-0", Duration.ofSeconds(5), w -> true).workload();
            long stamp = Long.parseLong(pushed.labels().get(SyntheticEngineAdapter.PUSHED_AT));
            assertThat(stamp).isBetween(before, System.currentTimeMillis());
            assertThat(pushed.spec()).isEqualTo(SyntheticEngineAdapter.workload(0).spec());

            subscription.close();
            Thread.sleep(60);
            int after = listener.changes().size();
            Thread.sleep(100);
            assertThat(listener.changes()).as("no push after the subscription closed").hasSize(after);
        }
    }

    @Test
    void withoutPushItsWatchIsSilent() throws Exception {
        try (EngineClient client = adapter.connect(connection("synthetic://10"))) {
            RecordingListener listener = new RecordingListener();
            client.watch(listener);
            Thread.sleep(100);
            assertThat(listener.changes()).isEmpty();
        }
    }

    @Test
    void refusesAnotherEndpoint() {
        assertThatThrownBy(() -> adapter.validate(connection("synthetic://10?push=x")))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("endpoint");
    }

    private static EngineConnection connection(String endpoint) {
        return new EngineConnection(UUID.randomUUID(), "synthetic-test", endpoint, Map.of(), Map.of(), Map.of(),
                Duration.ofSeconds(1));
    }
}
