package io.gantry.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineUnavailableException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A unix socket ignores read timeouts, so the call timeout must hold by cancelling: against a daemon that
 * answers {@code /_ping} and then nothing until the test ends, every call and the headers of a stream give up.
 * Only the call timeout (600 ms) can end them; the 30 s bound is there so a regression fails instead of hanging
 * and is generous for a busy machine. How long a call takes is not a test's figure.
 */
class DockerApiDeadlineTest {
    private static final Duration TIMEOUT = Duration.ofMillis(600);
    private static final Duration BOUND = Duration.ofSeconds(30);
    @TempDir
    Path dir;
    private ServerSocketChannel server;
    private DockerApi api;

    @BeforeEach
    void startSilentDaemon() throws IOException {
        Path socket = dir.resolve("docker.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
        Thread acceptor = new Thread(() -> {
            while (server.isOpen()) {
                try {
                    SocketChannel connection = server.accept();
                    Thread handler = new Thread(() -> answerOnlyPings(connection));
                    handler.setDaemon(true);
                    handler.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        EngineConnection connection = new EngineConnection(UUID.randomUUID(), "silent", "unix://" + socket, null, null,
                null, TIMEOUT);
        api = new DockerApi("silent", SwarmEndpoint.of(connection), TIMEOUT);
    }

    @AfterEach
    void stop() throws IOException {
        api.close();
        server.close();
    }

    @Test
    void pingWorksThenACallThatGetsNoAnswerFailsWithinTheTimeout() {
        assertThat(api.ping()).isEqualTo("1.41");
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> api.get("/services"))
                .isInstanceOf(EngineUnavailableException.class).hasMessageContaining("did not answer within 600 ms"));
    }

    @Test
    void aStreamWhoseHeadersNeverComeFailsWithinTheTimeout() {
        api.ping();
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> api.openStream(SwarmEvents.eventsPath(), null))
                .isInstanceOf(EngineUnavailableException.class));
    }

    /** Answers each {@code GET /_ping} like dockerd 20.10; leaves every other request unanswered while the server runs. */
    private void answerOnlyPings(SocketChannel connection) {
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
                    if (!request.startsWith("GET /_ping ")) {
                        while (server.isOpen()) {
                            Thread.sleep(50);
                        }
                        return;
                    }
                    connection.write(StandardCharsets.US_ASCII.encode(
                            "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK"));
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client gave up: that is the point
        }
    }

    /** Error answers are built without the network: what of a body reaches the message (see EngineMessages). */
    @Test
    void anErrorPageBecomesTheStatusAndDockerdsMessageIsCutAndFlattened() {
        byte[] page = ("<html><body>" + "SECRET-MARKER ".repeat(800) + "</body></html>").getBytes(StandardCharsets.UTF_8);
        assertThat(api.failure(new DockerApi.Reply(502, page, null), null))
                .isInstanceOf(EngineUnavailableException.class).hasMessage("Docker engine 'silent' answered 502: HTTP 502");

        byte[] json = ("{\"message\": \"rpc error: code = Unknown desc = bad\\r\\n" + "SECRET-MARKER".repeat(50) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(api.failure(new DockerApi.Reply(500, json, null), null).getMessage())
                .startsWith("Docker engine 'silent' failed: bad SECRET-MARKER").doesNotContain("\r", "\n", "rpc error")
                .hasSizeLessThan(160);
    }
}
