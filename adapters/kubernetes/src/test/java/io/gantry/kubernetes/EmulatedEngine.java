package io.gantry.kubernetes;

import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineClient;
import io.gantry.spi.WatchListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An {@link EmulatedCluster} and one engine client connected to it, for a whole test class:
 * {@code @RegisterExtension static final EmulatedEngine engine = new EmulatedEngine();}. Also the
 * watch listener that records what it is told, and the wait for a condition, which these tests share.
 */
final class EmulatedEngine implements BeforeAllCallback, AfterAllCallback {
    private EmulatedCluster cluster;
    private EngineClient client;

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = new EmulatedCluster();
        client = connect(Map.of());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        client.close();
        cluster.close();
    }

    EmulatedCluster cluster() {
        return cluster;
    }

    /** The client of the whole class. */
    EngineClient client() {
        return client;
    }

    /** Another client of the same cluster, with these options; the caller closes it. */
    EngineClient connect(Map<String, String> options) {
        return new KubernetesEngineAdapter().connect(cluster.connection(options));
    }

    /** A watch listener that keeps every change and failure, in order. */
    static final class Recorder implements WatchListener {
        final List<EngineChange> changes;
        final List<Throwable> failures;

        Recorder() {
            this(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
        }

        /** Records into these (thread-safe) lists. */
        Recorder(List<EngineChange> changes, List<Throwable> failures) {
            this.changes = changes;
            this.failures = failures;
        }

        @Override
        public void onChange(EngineChange change) {
            changes.add(change);
        }

        @Override
        public void onFailure(Throwable cause) {
            failures.add(cause);
        }

        boolean resyncAsked(String because) {
            return changes.stream().anyMatch(c -> c instanceof EngineChange.ResyncRequired r && r.reason().contains(because));
        }

        boolean changed(String nativeId) {
            return changes.stream().anyMatch(c -> c instanceof EngineChange.WorkloadChanged wc
                    && wc.workload().nativeId().equals(nativeId));
        }
    }

    /** Polls {@code condition} every 50 ms until it holds; fails naming {@code what} after {@code timeout}. */
    static void await(String what, Supplier<Boolean> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Boolean.TRUE.equals(condition.get())) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("not " + what + " within " + timeout);
    }
}
