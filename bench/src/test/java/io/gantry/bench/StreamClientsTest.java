package io.gantry.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class StreamClientsTest {
    private static final Pattern SEQ = Pattern.compile("(bseq-[0-9a-f]{12})");

    @Test
    void anEventThatCameBeforeTheCliReturnedIsFoundFromTheCliStart() {
        StreamClients streams = new StreamClients();
        streams.watch(SEQ);
        Flow.Subscriber<String> client = streams.client(new CountDownLatch(1));
        long issued = System.currentTimeMillis();
        client.onNext(":connected");
        client.onNext("event:workload.updated");
        client.onNext("data:{\"labels\":{\"bench-seq\":\"bseq-0123456789ab\"}}");
        // the CLI returned after the stream had the event (dockerd announces an update before its CLI exits)
        long changed = System.currentTimeMillis() + 50;

        assertThat(streams.reached("bseq-0123456789ab", issued)).isEqualTo(1);
        assertThat(streams.delays("bseq-0123456789ab", issued, changed)).singleElement()
                .satisfies(delay -> assertThat(delay).isNegative());
        // timed from the CLI's return alone, it was not there
        assertThat(streams.reached("bseq-0123456789ab", changed)).isZero();
        assertThat(streams.recent()).contains("event:workload.updated").contains("bseq-0123456789ab");
    }

    @Test
    void aClientThatNeverSawTheKeyIsLeftOut() {
        StreamClients streams = new StreamClients();
        streams.watch(SEQ);
        Flow.Subscriber<String> saw = streams.client(new CountDownLatch(2));
        Flow.Subscriber<String> other = streams.client(new CountDownLatch(2));
        long since = System.currentTimeMillis();
        saw.onNext("data:{\"x\":\"bseq-0123456789ab\"}");
        other.onNext("data:{\"x\":\"bseq-ffffffffffff\"}");

        assertThat(streams.reached("bseq-0123456789ab", since)).isEqualTo(1);
        assertThat(streams.delays("bseq-0123456789ab", since, since)).hasSize(1);
    }
}
