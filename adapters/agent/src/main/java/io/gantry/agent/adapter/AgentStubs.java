package io.gantry.agent.adapter;

import io.gantry.agent.api.v1.ConfigsGrpc;
import io.gantry.agent.api.v1.ContainersGrpc;
import io.gantry.agent.api.v1.EventsGrpc;
import io.gantry.agent.api.v1.NodeGrpc;
import io.gantry.agent.api.v1.TasksGrpc;
import io.gantry.spi.tls.TlsCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One channel to an agent and stubs over it carrying the token and the namespace headers. Unary
 * stubs carry the call timeout as deadline; streaming ones (follow, subscribe) live until cancelled.
 */
final class AgentStubs implements AutoCloseable {
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> NAMESPACE = Metadata.Key.of("gantry-namespace", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel channel;
    private final String token;
    private final Duration timeout;

    /**
     * @param caCert     PEM CA to trust for grpcs (the JDK's trust store when null)
     * @param clientCert PEM client certificate for agents started with --tls-ca, or null
     * @param clientKey  its PEM key (PKCS#1, PKCS#8 or SEC1), or null
     */
    AgentStubs(AgentEngineAdapter.Target target, String token, String caCert, String clientCert, String clientKey,
               Duration timeout) {
        this.channel = Grpc.newChannelBuilderForAddress(target.host(), target.port(),
                        credentials(target, caCert, clientCert, clientKey))
                .maxInboundMessageSize(64 * 1024 * 1024).build();
        this.token = token;
        this.timeout = timeout;
    }

    Duration timeout() {
        return timeout;
    }

    /** @param namespace the namespace header, or null for calls spanning every namespace */
    ContainersGrpc.ContainersBlockingStub containers(String namespace) {
        return unary(ContainersGrpc.newBlockingStub(channel), namespace, timeout);
    }

    /** @param extra on top of the call timeout: a rotation waits for the restarts of the tasks that use the object */
    ConfigsGrpc.ConfigsBlockingStub configs(String namespace, Duration extra) {
        return unary(ConfigsGrpc.newBlockingStub(channel), namespace, timeout.plus(extra));
    }

    TasksGrpc.TasksBlockingStub tasks(String namespace) {
        return unary(TasksGrpc.newBlockingStub(channel), namespace, timeout);
    }

    /** For calls that may wait for a stop: the grace period on top of the call timeout. */
    TasksGrpc.TasksBlockingStub tasks(String namespace, Duration extra) {
        return unary(TasksGrpc.newBlockingStub(channel), namespace, timeout.plus(extra));
    }

    TasksGrpc.TasksStub tasksStreaming(String namespace) {
        return headers(TasksGrpc.newStub(channel), namespace);
    }

    EventsGrpc.EventsBlockingStub events(String namespace) {
        return unary(EventsGrpc.newBlockingStub(channel), namespace, timeout);
    }

    EventsGrpc.EventsBlockingStub eventsBlocking() {
        return headers(EventsGrpc.newBlockingStub(channel), null);
    }

    NodeGrpc.NodeBlockingStub node() {
        return unary(NodeGrpc.newBlockingStub(channel), null, timeout);
    }

    private <S extends AbstractStub<S>> S unary(S stub, String namespace, Duration deadline) {
        return headers(stub, namespace).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    private <S extends AbstractStub<S>> S headers(S stub, String namespace) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        if (namespace != null) {
            headers.put(NAMESPACE, namespace);
        }
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** grpcs through spi's PEM reader, so the agent takes the key encodings every other adapter takes. */
    private static ChannelCredentials credentials(AgentEngineAdapter.Target target, String caCert, String clientCert,
                                                  String clientKey) {
        if (!target.tls()) {
            return InsecureChannelCredentials.create();
        }
        TlsCredentials pem = TlsCredentials.of(caCert, clientCert, clientKey);
        TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder().trustManager(pem.trustManager());
        pem.keyManager().ifPresent(tls::keyManager);
        return tls.build();
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
