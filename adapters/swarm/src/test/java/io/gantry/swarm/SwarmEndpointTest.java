package io.gantry.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.gantry.spi.EngineAdapter;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InvalidSpecException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SwarmEndpointTest {
    private final SwarmEngineAdapter adapter = new SwarmEngineAdapter();

    @Test
    void adapterIsFoundByServiceLoaderAsKindSwarm() {
        List<EngineAdapter> adapters = ServiceLoader.load(EngineAdapter.class).stream().map(ServiceLoader.Provider::get).toList();
        assertThat(adapters).filteredOn(a -> a.kind().equals("swarm")).singleElement().isInstanceOf(SwarmEngineAdapter.class);
    }

    @Test
    void unixAndTcpEndpointsBecomeDockerHosts() {
        assertThat(SwarmEndpoint.of(connection("unix:///var/run/docker.sock", Map.of())))
                .isEqualTo(new SwarmEndpoint(URI.create("unix:///var/run/docker.sock"), null));
        assertThat(SwarmEndpoint.of(connection("tcp://10.0.0.5", Map.of())).dockerHost())
                .isEqualTo(URI.create("tcp://10.0.0.5:2375"));
        assertThat(SwarmEndpoint.of(connection("http://manager.example:4243", Map.of())).dockerHost())
                .isEqualTo(URI.create("tcp://manager.example:4243"));
        SwarmEndpoint tls = SwarmEndpoint.of(connection("https://[fd00::5]", Map.of()));
        assertThat(tls.dockerHost()).isEqualTo(URI.create("tcp://[fd00::5]:2376"));
        assertThat(tls.tls()).as("TLS with the JDK's trust store").isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "docker.sock", "ftp://host:21", "unix://", "unix://var/run/docker.sock",
            "tcp://", "tcp://host:99999", "tcp://host:2375/v1.41", "tcp://user@host:2375", "tcp://host:2375?x=1",
            "tcp://ho st:2375"})
    void malformedEndpointsAreRefusedNamingTheEndpointField(String endpoint) {
        assertThatThrownBy(() -> adapter.validate(connection(endpoint, Map.of())))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors())
                        .extracting(InvalidSpecException.FieldError::field).containsExactly("endpoint"));
    }

    @Test
    void certificatesOnAUnixSocketOrHalfAClientPairAreRefused() {
        assertThatThrownBy(() -> adapter.validate(connection("unix:///var/run/docker.sock", Map.of("caCert", "x"))))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors().get(0).field()).isEqualTo("credentials"));
        assertThatThrownBy(() -> adapter.validate(connection("tcp://h:2376", Map.of("clientCert", "x"))))
                .isInstanceOfSatisfying(InvalidSpecException.class,
                        e -> assertThat(e.errors().get(0).field()).isEqualTo("credentials.clientKey"));
        assertThatThrownBy(() -> adapter.validate(connection("tcp://h:2376", Map.of("caCert", "not a certificate"))))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.errors().get(0).field()).isEqualTo("credentials.caCert");
                    assertThat(e.getMessage()).doesNotContain("not a certificate");
                });
    }

    @Test
    void unknownPublishModeAndBadStackNamesAreRefused() {
        assertThatThrownBy(() -> adapter.validate(withOptions(Map.of("publishMode", "mesh"))))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("options.publishMode");
        assertThatThrownBy(() -> adapter.validate(withOptions(Map.of("namespaces", "shop, bad stack"))))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("options.namespaces");
        SwarmSettings settings = SwarmSettings.of(withOptions(Map.of("namespaces", " shop ,billing,", "publishMode", "HOST")));
        assertThat(settings).isEqualTo(new SwarmSettings("host", java.util.Set.of("shop", "billing")));
        assertThat(settings.shows("shop")).isTrue();
        assertThat(settings.shows("")).isFalse();
        assertThat(SwarmSettings.of(withOptions(Map.of())).shows("")).isTrue();
    }

    private static EngineConnection withOptions(Map<String, String> options) {
        return new EngineConnection(UUID.randomUUID(), "t", "unix:///var/run/docker.sock", null, null, options, null);
    }

    @Test
    void connectDoesNoNetworkIoAndAMissingSocketIsUnavailable() {
        try (var client = adapter.connect(connection("unix:///nonexistent/docker.sock", Map.of()))) {
            assertThatThrownBy(client::ping).isInstanceOf(EngineUnavailableException.class)
                    .hasMessageContaining("Docker engine 'test' is unreachable");
        }
    }

    @Test
    void aDaemonThatNeverAnswersFailsWithinTheCallTimeout() throws IOException {
        CountDownLatch testOver = new CountDownLatch(1);
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // silent until the test ends: only the call timeout (500 ms) can end the ping
            Thread acceptor = new Thread(() -> {
                try (Socket ignored = silent.accept()) {
                    testOver.await();
                } catch (IOException | InterruptedException e) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            EngineConnection connection = new EngineConnection(UUID.randomUUID(), "test",
                    "tcp://127.0.0.1:" + silent.getLocalPort(), null, null, null, Duration.ofMillis(500));
            try (var client = adapter.connect(connection)) {
                // a regression hangs: the generous bound turns that into a failure (a busy machine stays well within it)
                assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                        assertThatThrownBy(client::ping).isInstanceOf(EngineUnavailableException.class));
            }
        } finally {
            testOver.countDown();
        }
    }

    private static EngineConnection connection(String endpoint, Map<String, String> credentials) {
        return new EngineConnection(UUID.randomUUID(), "test", endpoint, null, credentials, null, null);
    }
}
