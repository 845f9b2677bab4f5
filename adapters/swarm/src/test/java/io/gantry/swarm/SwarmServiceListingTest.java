package io.gantry.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.Workload;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listing's deadline follows progress: a {@code GET /services} answer that trickles in for several call timeouts
 * is read to its end and handed over in batches as it comes; one that stops sending fails as unavailable. A fake
 * daemon on a unix socket sends the answer slowly, which the real dockerd cannot be made to do.
 */
class SwarmServiceListingTest {
    private static final Duration TIMEOUT = Duration.ofMillis(600);
    private static final Duration BOUND = Duration.ofSeconds(30);
    @TempDir
    Path dir;
    private ServerSocketChannel server;
    private SwarmEngineClient client;

    @AfterEach
    void stop() throws IOException {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void anAnswerThatKeepsComingForLongerThanTheTimeoutIsListedInBatchesAsItArrives() {
        start(12, false);
        List<List<Workload>> batches = new CopyOnWriteArrayList<>();
        assertTimeoutPreemptively(BOUND, () -> client.listWorkloads(batches::add));
        List<Workload> all = batches.stream().flatMap(List::stream).toList();
        assertThat(all).extracting(Workload::nativeId).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, 12).mapToObj(i -> "svc" + i).toList());
        assertThat(batches.stream().filter(b -> !b.isEmpty()).count())
                .as("handed over every half call timeout while services arrive (12 x 150 ms)").isGreaterThanOrEqualTo(3);
        assertThat(all.get(3).name()).isEqualTo("s3");
    }

    @Test
    void anAnswerThatStopsComingFailsAsUnavailable() {
        start(3, true);
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> client.listWorkloads(batch -> { }))
                .isInstanceOf(EngineUnavailableException.class)
                .hasMessageContaining("sent nothing for 600 ms"));
    }

    @Test
    void anAnswerThatIsNotJsonFailsAtOnceAsBrokenNotAsSilent() {
        start(-1, false);
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> client.listWorkloads(batch -> { }))
                .isInstanceOf(EngineUnavailableException.class)
                .hasMessageContaining("broke off its answer to /services"));
    }

    /** @param services how many services to send slowly; -1 for a body that is not JSON, then more bytes slowly */
    private void start(int services, boolean stallAfter) {
        Path socket = dir.resolve("docker.sock");
        try {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Thread acceptor = new Thread(() -> {
            while (server.isOpen()) {
                try {
                    SocketChannel connection = server.accept();
                    Thread handler = new Thread(() -> answer(connection, services, stallAfter));
                    handler.setDaemon(true);
                    handler.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "fake-dockerd");
        acceptor.setDaemon(true);
        acceptor.start();
        EngineConnection connection = new EngineConnection(UUID.randomUUID(), "slow", "unix://" + socket, null, null,
                null, TIMEOUT);
        client = new SwarmEngineClient(connection, SwarmEndpoint.of(connection), SwarmSettings.of(connection));
    }

    private void answer(SocketChannel connection, int services, boolean stallAfter) {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        StringBuilder received = new StringBuilder();
        try (connection) {
            while (connection.read(buffer) >= 0) {
                buffer.flip();
                received.append(StandardCharsets.US_ASCII.decode(buffer));
                buffer.clear();
                int end;
                while ((end = received.indexOf("\r\n\r\n")) >= 0) {
                    String request = received.substring(0, end);
                    received.delete(0, end + 4);
                    String path = request.split(" ")[1];
                    if (path.startsWith("/_ping")) {
                        write(connection, "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK");
                    } else if (path.contains("/services")) {
                        write(connection, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
                        if (services < 0) {
                            chunk(connection, "[" + service(0) + ",]");
                            for (int i = 0; i < 20; i++) {
                                Thread.sleep(150);
                                chunk(connection, " ");
                            }
                            write(connection, "0\r\n\r\n");
                            continue;
                        }
                        chunk(connection, "[");
                        for (int i = 0; i < services; i++) {
                            Thread.sleep(150);
                            chunk(connection, (i > 0 ? "," : "") + service(i));
                        }
                        if (stallAfter) {
                            while (server.isOpen()) {
                                Thread.sleep(50);
                            }
                            return;
                        }
                        chunk(connection, "]");
                        write(connection, "0\r\n\r\n");
                    } else {
                        write(connection, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]");
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client hung up
        }
    }

    private static String service(int i) {
        return "{\"ID\":\"svc" + i + "\",\"Spec\":{\"Name\":\"s" + i + "\",\"Mode\":{\"Replicated\":{\"Replicas\":1}},"
                + "\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox:1\"}}}}";
    }

    private static void chunk(SocketChannel connection, String data) throws IOException {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        write(connection, Integer.toHexString(bytes.length) + "\r\n" + data + "\r\n");
    }

    private static void write(SocketChannel connection, String text) throws IOException {
        ByteBuffer out = StandardCharsets.UTF_8.encode(text);
        while (out.hasRemaining()) {
            connection.write(out);
        }
    }
}
