package io.gantry.agent.daemon;

import io.gantry.agent.api.v1.ConfigsGrpc;
import io.gantry.agent.api.v1.ContainersGrpc;
import io.gantry.agent.api.v1.EventsGrpc;
import io.gantry.agent.api.v1.NodeGrpc;
import io.gantry.agent.api.v1.TasksGrpc;
import io.gantry.agent.task.Names;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;

/**
 * Reads the {@code gantry-namespace} header (containerd's {@code containerd-namespace}), checks it and
 * puts it in the call's context. List and subscribe calls without it span every namespace; Node
 * calls need none; every other call fails with INVALID_ARGUMENT without a valid one.
 */
final class NamespaceInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> HEADER = Metadata.Key.of("gantry-namespace", Metadata.ASCII_STRING_MARSHALLER);
    /** The call's namespace; null for a call spanning every namespace. */
    static final Context.Key<String> NAMESPACE = Context.key("gantry-namespace");

    private static final Set<String> ANY_NAMESPACE = Set.of(
            ContainersGrpc.getListMethod().getFullMethodName(),
            // without a namespace a check looks at the spec alone: secret references by their shape, not their objects
            ContainersGrpc.getCheckMethod().getFullMethodName(),
            TasksGrpc.getListMethod().getFullMethodName(),
            TasksGrpc.getMetricsMethod().getFullMethodName(),
            EventsGrpc.getSubscribeMethod().getFullMethodName(),
            EventsGrpc.getListMethod().getFullMethodName(),
            ConfigsGrpc.getListMethod().getFullMethodName());

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (NodeGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        String namespace = headers.get(HEADER);
        if (namespace == null && ANY_NAMESPACE.contains(method)) {
            return next.startCall(call, headers);
        }
        if (namespace == null || !Names.valid(namespace)) {
            call.close(Status.INVALID_ARGUMENT.withDescription(namespace == null
                    ? "the gantry-namespace header is required"
                    : "namespace '" + namespace + "' is invalid: use 1-63 lower-case letters, digits, '.', '_' or '-'"),
                    new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return Contexts.interceptCall(Context.current().withValue(NAMESPACE, namespace), call, headers, next);
    }

    /** The namespace of the current call; null when it spans every namespace. */
    static String current() {
        return NAMESPACE.get();
    }
}
