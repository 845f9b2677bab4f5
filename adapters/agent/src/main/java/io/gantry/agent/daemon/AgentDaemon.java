package io.gantry.agent.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.gantry.agent.metrics.MetricsServer;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/**
 * The node agent process: {@link AgentCore} served over gRPC (TLS when certificates are given) plus
 * the Prometheus endpoint. Runnable as {@code java -jar gantry-agent.jar --listen ... --token ... --data-dir ...}.
 */
public final class AgentDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentDaemon.class);
    private static final int MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

    private final AgentCore core;
    private final Server server;
    private final MetricsServer metrics;

    private AgentDaemon(AgentCore core, Server server, MetricsServer metrics) {
        this.core = core;
        this.server = server;
        this.metrics = metrics;
    }

    public static AgentDaemon start(AgentOptions options) throws IOException {
        Files.createDirectories(options.dataDir());
        AgentCore core = new AgentCore(options);
        Server server = null;
        try {
            NettyServerBuilder builder = NettyServerBuilder.forAddress(options.listen(), credentials(options))
                    .maxInboundMessageSize(MAX_MESSAGE_BYTES);
            core.services().forEach(builder::addService);
            server = builder.build().start();
            MetricsServer metrics = options.metricsListen() == null ? null
                    : new MetricsServer(options.metricsListen(), core.tasks(), core.execs());
            LOG.info("gantry agent serving on {}:{} (tls={}), metrics on {}",
                    options.listen().getHostString(), server.getPort(), options.tls(),
                    metrics == null ? "-" : options.metricsListen().getHostString() + ":" + metrics.port());
            return new AgentDaemon(core, server, metrics);
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.shutdownNow();
            }
            core.close(false);
            throw e;
        }
    }

    /** The gRPC port actually bound (useful with port 0). */
    public int port() {
        return server.getPort();
    }

    /** The metrics port, or -1 without a metrics endpoint. */
    public int metricsPort() {
        return metrics == null ? -1 : metrics.port();
    }

    /** Stops serving; with {@code stopTasks} also stops every task, else they keep running for the next start. */
    public void close(boolean stopTasks) {
        server.shutdown();
        try {
            if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
        if (metrics != null) {
            metrics.close();
        }
        core.close(stopTasks);
    }

    @Override
    public void close() {
        close(false);
    }

    public static void main(String[] args) throws Exception {
        AgentOptions options;
        try {
            options = AgentOptions.parse(args);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            System.err.println("gantry-agent: " + e.getMessage());
            System.err.println(AgentOptions.USAGE);
            System.exit(2);
            return;
        }
        AgentDaemon daemon;
        try {
            daemon = start(options);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            // a task user or task directory that cannot be used: the operator's to fix, no stack trace
            System.err.println("gantry-agent: " + e.getMessage());
            System.exit(2);
            return;
        }
        // tasks outlive the agent on purpose: the next start re-adopts them
        Runtime.getRuntime().addShutdownHook(new Thread(() -> daemon.close(false), "agent-shutdown"));
        daemon.server.awaitTermination();
    }

    private static ServerCredentials credentials(AgentOptions options) throws IOException {
        if (!options.tls()) {
            return InsecureServerCredentials.create();
        }
        TlsServerCredentials.Builder tls = TlsServerCredentials.newBuilder()
                .keyManager(options.tlsCert().toFile(), options.tlsKey().toFile());
        if (options.tlsCa() != null) {
            tls.trustManager(options.tlsCa().toFile()).clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL);
        }
        return tls.build();
    }
}
