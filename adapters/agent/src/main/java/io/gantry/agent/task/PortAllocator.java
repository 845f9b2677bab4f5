package io.gantry.agent.task;

import io.gantry.agent.api.v1.PortSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Host ports of tasks: a free one per spec port ({@code publishedPort} pins it). A port stays with
 * its task until the task is deleted, so that a restarted task keeps its address.
 */
final class PortAllocator {
    private final Set<Integer> taken = new HashSet<>();

    synchronized List<Integer> allocate(List<PortSpec> ports) {
        List<Integer> out = new ArrayList<>();
        try {
            for (PortSpec port : ports) {
                int chosen = port.getPublishedPort() > 0 ? pinned(port.getPublishedPort()) : free();
                taken.add(chosen);
                out.add(chosen);
            }
        } catch (RuntimeException e) {
            out.forEach(taken::remove);
            throw e;
        }
        return out;
    }

    synchronized void markTaken(List<Integer> ports) {
        taken.addAll(ports);
    }

    synchronized void release(List<Integer> ports) {
        ports.forEach(taken::remove);
    }

    private int pinned(int port) {
        if (taken.contains(port) || !bindable(port)) {
            throw AgentFailure.precondition("host port " + port + " is already in use");
        }
        return port;
    }

    private int free() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(0));
                int port = socket.getLocalPort();
                if (!taken.contains(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw AgentFailure.precondition("no free host port: " + e.getMessage());
            }
        }
        throw AgentFailure.precondition("no free host port found");
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
