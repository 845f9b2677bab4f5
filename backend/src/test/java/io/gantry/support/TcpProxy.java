package io.gantry.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP forwarder on a loopback port to one target, for outage tests: {@link #stop} refuses new
 * connections and cuts the open ones, as an engine that went away would; {@link #start} serves again on
 * the same port. Only the engine registered through this proxy sees the outage; its target keeps running
 * for everyone else.
 */
public final class TcpProxy implements AutoCloseable {
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tcp-proxy");
        t.setDaemon(true);
        return t;
    });
    private int port;
    private ServerSocket server;

    private TcpProxy(InetSocketAddress target) {
        this.target = target;
    }

    /** A started proxy on a free loopback port to {@code host:port}. */
    public static TcpProxy to(String host, int port) {
        TcpProxy proxy = new TcpProxy(new InetSocketAddress(host, port));
        proxy.start();
        return proxy;
    }

    public synchronized int port() {
        return port;
    }

    /** Accepts connections again, on the port it had (or a free one the first time). */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            ServerSocket s = new ServerSocket();
            // the port's earlier connections may linger in TIME_WAIT
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
            port = s.getLocalPort();
            server = s;
            threads.execute(() -> accept(s));
        } catch (IOException e) {
            throw new UncheckedIOException("proxy cannot listen on port " + port, e);
        }
    }

    /** Refuses new connections and closes every open one. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        closeQuietly(server);
        server = null;
        open.forEach(TcpProxy::closeQuietly);
        open.clear();
    }

    @Override
    public void close() {
        stop();
        threads.shutdownNow();
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException closed) {
                return;
            }
            open.add(client);
            try {
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                open.add(upstream);
                if (s.isClosed()) {
                    // stopped while this one was being accepted: it must not outlive the stop
                    closeQuietly(client);
                    closeQuietly(upstream);
                    return;
                }
                threads.execute(() -> pump(client, upstream));
                threads.execute(() -> pump(upstream, client));
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    /** Copies one direction until either side ends; then both are closed, as a proxy passes a close on. */
    private void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ended) {
            // one side went away: the finally below ends the other
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing what is already broken
        }
    }
}
