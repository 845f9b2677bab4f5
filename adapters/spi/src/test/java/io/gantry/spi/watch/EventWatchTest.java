package io.gantry.spi.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineForbiddenException;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.WatchListener;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The watch skeleton against a scripted source: each open and each read takes the test's next answer. */
class EventWatchTest {
    private static final Duration PROMPTLY = Duration.ofSeconds(5);
    private static final Object END = new Object();

    private final Script source = new Script();
    private final RecordingListener listener = new RecordingListener();
    private final AtomicInteger onClose = new AtomicInteger();
    private final List<EventWatch<?>> watches = new ArrayList<>();

    @AfterEach
    void closeWatches() {
        watches.forEach(EventWatch::close);
    }

    @Test
    void eventsArriveInOrderAndEveryReconnectAsksForAResync() {
        EventWatch<String> watch = watch(Duration.ZERO, null, new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
        FakeStream first = source.opens();
        first.sends("a", "b");
        listener.await("b removed", EngineChange.WorkloadRemoved.class, r -> r.nativeId().equals("b"));
        first.sends(END);
        FakeStream second = source.opens();
        second.sends("c");
        listener.await("c removed", EngineChange.WorkloadRemoved.class, r -> r.nativeId().equals("c"));

        assertThat(listener.changes()).extracting(EventWatchTest::describe).containsExactly(
                "resync: test stream opened after the watch began; what changed before it is only in a full list",
                "removed a", "removed b", "resync: test stream ended and was re-opened", "removed c");
        assertThat(watch.connected()).isTrue();
    }

    @Test
    void startWaitsForTheFirstOpenWhichThenNeedsNoResync() throws InterruptedException {
        FakeStream stream = source.opens();
        watch(Duration.ofSeconds(10), null, new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
        stream.sends("a");
        listener.await("a removed", EngineChange.WorkloadRemoved.class, r -> r.nativeId().equals("a"));
        assertThat(listener.resyncs()).isEmpty();
    }

    @Test
    void aFirstOpenAfterStartGaveUpWaitingAsksForAResync() {
        watch(Duration.ofMillis(100), null, new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
        source.opens();
        assertThat(listener.await("resync", EngineChange.ResyncRequired.class, r -> true).reason())
                .contains("opened after the watch began");
    }

    @Test
    void closeWhileOpeningEndsPromptly() throws InterruptedException {
        EventWatch<String> watch = watch(Duration.ZERO, null, new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
        source.awaitOpening();
        watch.close();
        assertThat(watch.awaitThreadsEnded(PROMPTLY)).isTrue();
        assertThat(onClose).hasValue(1);
        assertThat(listener.changes()).isEmpty();
    }

    @Test
    void closeWhileReadingClosesTheStreamAndEndsPromptly() throws InterruptedException {
        EventWatch<String> watch = watch(Duration.ZERO, null, new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
        FakeStream stream = source.opens();
        RecordingListener.await("the stream read", PROMPTLY, stream::reading);
        watch.close();
        watch.close();
        assertThat(watch.awaitThreadsEnded(PROMPTLY)).isTrue();
        assertThat(stream.closed).isTrue();
        assertThat(onClose).as("told once, however often closed").hasValue(1);
        assertThat(watch.connected()).isFalse();
    }

    @Test
    void closeDuringBackOffEndsPromptly() throws InterruptedException {
        EventWatch<String> watch = watch(Duration.ZERO, null, new Backoff(Duration.ofMinutes(10), Duration.ofMinutes(10)));
        source.fails(new IOException("refused"));
        RecordingListener.await("backing off", PROMPTLY, () -> source.attempts.get() == 1 && source.openings.isEmpty());
        long before = System.nanoTime();
        watch.close();
        assertThat(watch.awaitThreadsEnded(PROMPTLY)).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(PROMPTLY);
    }

    @Test
    void aStreamThatOpensAfterCloseIsClosedAtOnce() throws InterruptedException {
        source.uninterruptible = true;
        EventWatch<String> watch = watch(Duration.ZERO, null, new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
        source.awaitOpening();
        Thread closer = new Thread(watch::close);
        closer.start();
        closer.join(PROMPTLY.toMillis());
        FakeStream late = source.opens();
        assertThat(watch.awaitThreadsEnded(PROMPTLY)).isTrue();
        assertThat(late.closed).isTrue();
        assertThat(listener.changes()).isEmpty();
    }

    @Test
    void backOffGrowsWhileOpensFailAndResetsAfterAGoodConnection() {
        // the draw at its top: each delay is its whole ceiling, 200, 400, 800, 1600 ms
        watch(Duration.ZERO, null, new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), () -> 1.0));
        for (int i = 0; i < 4; i++) {
            source.fails(new IOException("refused " + i));
        }
        FakeStream good = source.opens();
        RecordingListener.await("open", Duration.ofSeconds(20), good::reading);
        good.sends(END);
        source.opens();
        RecordingListener.await("reopened", PROMPTLY, () -> source.attempts.get() == 6);

        List<Long> gaps = source.gapsMillis();
        assertThat(gaps.subList(0, 4)).as("gaps %s", gaps).satisfies(g -> {
            assertThat(g.get(0)).isGreaterThanOrEqualTo(200);
            assertThat(g.get(1)).isGreaterThanOrEqualTo(400);
            assertThat(g.get(2)).isGreaterThanOrEqualTo(800);
            assertThat(g.get(3)).isGreaterThanOrEqualTo(1600);
        });
        // without the reset it would be 3200 ms
        assertThat(gaps.get(4)).as("gaps %s", gaps).isBetween(200L, 1600L);
    }

    @Test
    void aListenerThatThrowsDoesNotEndTheWatch() {
        List<EngineChange> seen = new CopyOnWriteArrayList<>();
        WatchListener throwing = new WatchListener() {
            @Override
            public void onChange(EngineChange change) {
                seen.add(change);
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onFailure(Throwable cause) {
            }
        };
        EventWatch<String> watch = new EventWatch<>(settings(Duration.ZERO, null),
                new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)), source, throwing, w -> onClose.incrementAndGet());
        watches.add(watch.start());
        FakeStream stream = source.opens();
        stream.sends("a", "boom", "b");
        RecordingListener.await("b delivered", PROMPTLY, () -> seen.stream().map(EventWatchTest::describe)
                .anyMatch("removed b"::equals));
        assertThat(seen).extracting(EventWatchTest::describe).containsSubsequence("removed a", "removed b");
        assertThat(watch.connected()).isTrue();
    }

    @Test
    void anUnreachableEngineIsToldOncePerOutage() {
        watch(Duration.ZERO, null, new Backoff(Duration.ofMillis(10), Duration.ofMillis(20)));
        source.unreachable = "engine down";
        source.fails(new IOException("refused"), new IOException("refused"), new IOException("refused"));
        FakeStream back = source.opens();
        listener.awaitResync("re-opened", PROMPTLY);
        back.sends(END);
        source.fails(new IOException("refused again"), new IOException("refused again"));
        source.opens();
        RecordingListener.await("four resyncs", PROMPTLY, () -> listener.resyncs().size() == 4);

        assertThat(listener.resyncs()).extracting(EngineChange.ResyncRequired::reason).containsExactly(
                "engine down", "test stream broke (refused) and was re-opened",
                "engine down", "test stream broke (refused again) and was re-opened");
        assertThat(listener.failures()).isEmpty();
    }

    @Test
    void refusedCredentialsEndTheWatchWithOneFailure() throws InterruptedException {
        EventWatch<String> watch = watch(Duration.ZERO, null, new Backoff(Duration.ofMillis(10), Duration.ofMillis(20)));
        source.fails(new EngineForbiddenException("401"));
        RecordingListener.poll("the failure", PROMPTLY, () -> listener.failures().stream().findFirst());
        Thread.sleep(200);
        assertThat(source.attempts).as("no open after the refusal").hasValue(1);
        assertThat(listener.failures()).hasSize(1).first().isInstanceOf(EngineForbiddenException.class);
        assertThat(watch.awaitThreadsEnded(PROMPTLY)).isTrue();
    }

    @Test
    void aCheckThatFindsTheStreamDeadReopensItWithTheCheckReason() {
        watch(Duration.ZERO, Duration.ofMillis(50), new Backoff(Duration.ofMillis(10), Duration.ofMillis(20)));
        source.check = silent -> silent.toMillis() >= 100 ? "silent too long" : null;
        FakeStream silent = source.opens();
        source.opens();
        listener.awaitResync("silent too long", PROMPTLY);
        assertThat(silent.closed).isTrue();
    }

    @Test
    void anOwedResyncFollowsTheNextCheckThatFindsTheStreamAlive() {
        watch(Duration.ZERO, Duration.ofMillis(50), new Backoff(Duration.ofMillis(10), Duration.ofMillis(20)));
        FakeStream stream = source.opens();
        stream.sends("owe");
        listener.awaitResync("a re-read failed", PROMPTLY);
        assertThat(listener.resyncs()).hasSize(2);
    }

    @Test
    void onceCloseReturnsTheListenerIsNotCalledAgain() throws InterruptedException {
        CountDownLatch inCall = new CountDownLatch(1);
        AtomicBoolean callReturned = new AtomicBoolean();
        List<EngineChange> seen = new CopyOnWriteArrayList<>();
        WatchListener slow = new WatchListener() {
            @Override
            public void onChange(EngineChange change) {
                seen.add(change);
                if (describe(change).equals("removed slow")) {
                    inCall.countDown();
                    sleep(300);
                    callReturned.set(true);
                }
            }

            @Override
            public void onFailure(Throwable cause) {
            }
        };
        EventWatch<String> watch = new EventWatch<>(settings(Duration.ZERO, null),
                new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)), source, slow, w -> onClose.incrementAndGet());
        watch.start();
        FakeStream stream = source.opens();
        stream.sends("slow", "after");
        assertThat(inCall.await(5, TimeUnit.SECONDS)).isTrue();
        watch.close();
        assertThat(callReturned).as("close waited for the call under way").isTrue();
        int delivered = seen.size();
        assertThat(watch.awaitThreadsEnded(PROMPTLY)).isTrue();
        assertThat(seen).hasSize(delivered).extracting(EventWatchTest::describe).doesNotContain("removed after");
    }

    @Test
    void aReReadStillWaitingIsNotQueuedTwiceUntilTheWorkloadIsRemoved() {
        watch(Duration.ZERO, null, new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
        FakeStream stream = source.opens();
        source.gate = new CountDownLatch(1);
        stream.sends("block", "reread:x", "reread:x", "reread:x", "x", "reread:x");
        RecordingListener.await("all read", PROMPTLY, () -> stream.events.isEmpty());
        source.gate.countDown();
        listener.await("the last re-read", EngineChange.WorkloadRemoved.class, r -> r.nativeId().equals("reread x"));
        RecordingListener.await("two re-reads", PROMPTLY, () -> listener.changes().stream()
                .filter(c -> describe(c).equals("removed reread x")).count() == 2);
        assertThat(listener.changes()).extracting(EventWatchTest::describe).containsSubsequence(
                "removed reread x", "removed x", "removed reread x");
    }

    private EventWatch<String> watch(Duration waitForOpen, Duration checkInterval, Backoff backoff) {
        EventWatch<String> watch = new EventWatch<>(settings(waitForOpen, checkInterval), backoff, source, listener,
                w -> onClose.incrementAndGet());
        watches.add(watch);
        return watch.start();
    }

    private static EventWatch.Settings settings(Duration waitForOpen, Duration checkInterval) {
        return new EventWatch.Settings("test-watch", "e1", "test stream", waitForOpen, checkInterval);
    }

    private static String describe(EngineChange change) {
        if (change instanceof EngineChange.ResyncRequired r) {
            return "resync: " + r.reason();
        }
        return change instanceof EngineChange.WorkloadRemoved r ? "removed " + r.nativeId() : change.toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Opens take the next scripted answer (blocking until the test gives one). An event {@code x} becomes
     * "removed x"; {@code boom} throws in the listener's path; {@code owe} owes a resync; {@code reread:x} re-reads x;
     * {@code block} holds the delivery thread until {@link #gate} opens.
     */
    private static final class Script implements EventSource<String> {
        final BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        final BlockingQueue<Boolean> openings = new LinkedBlockingQueue<>();
        final AtomicInteger attempts = new AtomicInteger();
        final List<Long> attemptNanos = new CopyOnWriteArrayList<>();
        volatile boolean uninterruptible;
        volatile String unreachable;
        volatile java.util.function.Function<Duration, String> check = silent -> null;
        volatile CountDownLatch gate = new CountDownLatch(0);

        FakeStream opens() {
            FakeStream stream = new FakeStream();
            answers.add(stream);
            return stream;
        }

        void fails(Exception... failures) {
            answers.addAll(List.of(failures));
        }

        void awaitOpening() throws InterruptedException {
            assertThat(openings.poll(5, TimeUnit.SECONDS)).isNotNull();
        }

        List<Long> gapsMillis() {
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < attemptNanos.size(); i++) {
                gaps.add(TimeUnit.NANOSECONDS.toMillis(attemptNanos.get(i) - attemptNanos.get(i - 1)));
            }
            return gaps;
        }

        @Override
        public EventStream<String> open() throws Exception {
            attempts.incrementAndGet();
            attemptNanos.add(System.nanoTime());
            openings.add(true);
            Object answer;
            if (uninterruptible) {
                while (true) {
                    try {
                        answer = answers.take();
                        break;
                    } catch (InterruptedException ignored) {
                        // as a connect that does not answer interrupts
                    }
                }
            } else {
                answer = answers.take();
            }
            openings.poll();
            if (answer instanceof Exception e) {
                throw e;
            }
            return (FakeStream) answer;
        }

        @Override
        public void decode(String event, Deliveries out) {
            switch (event) {
                case "boom" -> out.send(new EngineChange.WorkloadRemoved("boom"));
                case "owe" -> out.owe("a re-read failed");
                case "block" -> out.later(Duration.ZERO, () -> {
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                default -> {
                    if (event.startsWith("reread:")) {
                        String id = event.substring(7);
                        out.reread(id, () -> out.send(new EngineChange.WorkloadRemoved("reread " + id)));
                    } else {
                        out.send(new EngineChange.WorkloadRemoved(event));
                    }
                }
            }
        }

        @Override
        public String check(Duration silentFor) {
            return check.apply(silentFor);
        }

        @Override
        public String unreachable(Exception failure) {
            return unreachable;
        }
    }

    private static final class FakeStream implements EventStream<String> {
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        volatile boolean closed;
        volatile boolean reading;

        void sends(Object... items) {
            events.addAll(List.of(items));
        }

        boolean reading() {
            return reading;
        }

        @Override
        public String next() throws Exception {
            reading = true;
            Object item = events.take();
            if (closed || item == END) {
                if (closed) {
                    throw new IOException("closed");
                }
                return null;
            }
            return (String) item;
        }

        @Override
        public void close() {
            closed = true;
            events.add(END);
        }
    }
}
