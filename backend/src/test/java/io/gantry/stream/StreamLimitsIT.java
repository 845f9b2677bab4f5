package io.gantry.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.security.UserAccessChanged;
import io.gantry.support.Api;
import io.gantry.support.IntegrationTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.TestPropertySource;

/**
 * Issue 13: a subscriber that stops reading is dropped without holding up the publisher or anyone else,
 * and the total of open streams is capped. Its own context: the per-user cap is lifted so that one user
 * can hold a thousand streams, the total is just above them, buffers are small, and the server's socket
 * send buffer is small so that a client that stops reading fills it after a few events (the kernel would
 * otherwise grow it to megabytes).
 */
@TestPropertySource(properties = {"gantry.streams.per-user=2000", "gantry.streams.total=1005",
        "gantry.streams.buffer-events=16"})
class StreamLimitsIT extends IntegrationTest {
    private static final int IDLE = 1_000;
    private static final int EVENTS = 40;

    @TestConfiguration
    static class SmallSendBuffers {
        @Bean
        WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> smallSendBuffer() {
            return factory -> factory.addConnectorCustomizers(c -> c.setProperty("socket.txBufSize", "4096"));
        }
    }

    @Autowired
    LiveStream stream;
    @Autowired
    ApplicationEventPublisher events;

    @Test
    void aClientThatStopsReadingDelaysNobodyAndIsDroppedAndTheTotalIsCapped() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < IDLE; i++) {
                sockets.add(subscribe(0, ADMIN_TOKEN, 200));
            }
            // its own user, to tell its stream from the others
            sockets.add(subscribe(1024, userToken("stops-reading", "VIEWER"), 200));
            Map<Integer, Long> received = new ConcurrentHashMap<>();
            Api api = api();
            HttpResponse<InputStream> reading = api.http().send(api.request("/api/v1/stream")
                    .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            Thread reader = new Thread(() -> read(reading.body(), received), "reading-client");
            reader.setDaemon(true);
            reader.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> stream.open().get("streams") == IDLE + 2);

            // 2 KB each: the one that stopped reading has its buffers full after a few
            String pad = "x".repeat(2_000);
            Map<Integer, Long> sentAt = new ConcurrentHashMap<>();
            long slowestPublish = 0;
            for (int seq = 0; seq < EVENTS; seq++) {
                long before = System.nanoTime();
                sentAt.put(seq, before);
                stream.publish("test.tick", Map.of("seq", seq, "pad", pad));
                slowestPublish = Math.max(slowestPublish, System.nanoTime() - before);
                Thread.sleep(200);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == EVENTS);
            long worst = 0;
            for (int seq = 0; seq < EVENTS; seq++) {
                worst = Math.max(worst, received.get(seq) - sentAt.get(seq));
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(worst)).as("publish to receipt, worst of %d", EVENTS).isLessThan(1_000);
            assertThat(TimeUnit.NANOSECONDS.toMillis(slowestPublish)).as("publish() only hands over").isLessThan(500);
            await("the client that stopped reading is dropped").atMost(Duration.ofSeconds(10))
                    .until(() -> stream.openStreamsOf("stops-reading") == 0);

            while (stream.open().get("streams") < 1_005) {
                sockets.add(subscribe(0, ADMIN_TOKEN, 200));
            }
            Socket refused = new Socket();
            sockets.add(refused);
            refused.connect(new InetSocketAddress("localhost", port), 5_000);
            refused.setSoTimeout(10_000);
            request(refused, ADMIN_TOKEN);
            String answer = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 429").contains("application/problem+json")
                    .contains("too-many-streams").contains("gantry.streams.total");
        } finally {
            String admin = api().get("/api/v1/auth/me").json().get("username").asString();
            events.publishEvent(new UserAccessChanged(admin, "test over"));
            events.publishEvent(new UserAccessChanged("stops-reading", "test over"));
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** Opens a stream on a raw socket and reads up to the end of the response headers, no further. */
    private Socket subscribe(int receiveBuffer, String token, int expectedStatus) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new InetSocketAddress("localhost", port), 5_000);
        s.setSoTimeout(10_000);
        request(s, token);
        StringBuilder head = new StringBuilder();
        InputStream in = s.getInputStream();
        try {
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.append((char) b);
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("no answer after 10 s to stream " + stream.open() + ": " + stream.describeStreams(), e);
        }
        s.setSoTimeout(0);
        assertThat(head.toString()).startsWith("HTTP/1.1 " + expectedStatus);
        return s;
    }

    private void request(Socket s, String token) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("GET /api/v1/stream HTTP/1.1\r\nHost: localhost:" + port + "\r\nAuthorization: Bearer " + token
                + "\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void read(InputStream body, Map<Integer, Long> received) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                int at = line.indexOf("\"seq\":");
                if (line.startsWith("data:") && at >= 0) {
                    int end = at + 6;
                    while (end < line.length() && Character.isDigit(line.charAt(end))) {
                        end++;
                    }
                    received.putIfAbsent(Integer.parseInt(line.substring(at + 6, end)), System.nanoTime());
                }
            }
        } catch (IOException ended) {
            // the test is over
        }
    }
}
