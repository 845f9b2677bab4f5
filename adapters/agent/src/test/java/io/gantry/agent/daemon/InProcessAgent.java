package io.gantry.agent.daemon;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A real {@link AgentCore} serving its gRPC services and interceptors over the in-process transport: the daemon
 * without a network, running real host processes. {@code directExecutor} runs calls on the caller's thread (unary
 * tests); streams that talk both ways at once need the default executors.
 */
final class InProcessAgent implements AutoCloseable {
    final AgentCore core;
    final ManagedChannel channel;
    private final Server server;

    /** @param cgroupRoot an empty directory: limits are skipped, as on a machine without writable cgroups */
    InProcessAgent(AgentOptions options, Path cgroupRoot, boolean directExecutor) throws IOException {
        String name = InProcessServerBuilder.generateName();
        core = new AgentCore(options, cgroupRoot, Optional.empty());
        InProcessServerBuilder builder = InProcessServerBuilder.forName(name);
        InProcessChannelBuilder channelBuilder = InProcessChannelBuilder.forName(name);
        if (directExecutor) {
            builder.directExecutor();
            channelBuilder.directExecutor();
        }
        core.services().forEach(builder::addService);
        server = builder.build().start();
        channel = channelBuilder.build();
    }

    /** Stops serving; with {@code killTasks} false the tasks go on, for another agent on the same data dir to adopt. */
    void close(boolean killTasks) {
        channel.shutdownNow();
        server.shutdownNow();
        core.close(killTasks);
    }

    @Override
    public void close() {
        close(true);
    }
}
