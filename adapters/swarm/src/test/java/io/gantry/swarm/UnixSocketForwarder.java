package io.gantry.swarm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP (or TLS) listener on loopback that forwards every connection to dockerd's unix socket: the adapter
 * then talks to the real daemon over {@code tcp://}, and a test can cut every connection at once, as a
 * network failure would.
 */
public final class UnixSocketForwarder implements AutoCloseable {
    private final ServerSocket server;
    private final String socketPath;
    private final Set<AutoCloseable> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile boolean closed;
    private volatile boolean refusing;

    /** @param server a bound listener, plain or {@link javax.net.ssl.SSLServerSocket} */
    UnixSocketForwarder(ServerSocket server, String socketPath) {
        this.server = server;
        this.socketPath = socketPath;
        Thread acceptor = new Thread(this::accept, "forwarder-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static UnixSocketForwarder plain(String socketPath) throws IOException {
        return plain(socketPath, 0);
    }

    /**
     * Listens on {@code port} of loopback (0: any free port). A test that closed a forwarder opens a new one on
     * the same port to bring the daemon "back" at the endpoint an engine was registered with.
     */
    public static UnixSocketForwarder plain(String socketPath, int port) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        return new UnixSocketForwarder(server, socketPath);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Closes every forwarded connection; new ones are still accepted. */
    public void dropAll() {
        for (AutoCloseable connection : connections) {
            closeQuietly(connection);
        }
        connections.clear();
    }

    /**
     * From now on every connection is closed at once, open ones and new ones, as by a daemon that went away; the
     * new ones are counted ({@link #refused()}), so a test can wait for reconnect attempts instead of sleeping.
     */
    public void refuse() {
        refusing = true;
        dropAll();
    }

    /** Forwards new connections again. */
    public void resume() {
        refusing = false;
    }

    /** Connections closed at once since {@link #refuse()}. */
    public int refused() {
        return refused.get();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                if (refusing) {
                    refused.incrementAndGet();
                    client.close();
                    continue;
                }
                SocketChannel daemon = SocketChannel.open(UnixDomainSocketAddress.of(socketPath));
                connections.add(client);
                connections.add(daemon);
                InputStream fromClient = client.getInputStream();
                OutputStream toClient = client.getOutputStream();
                // the client's end of input is passed on as such (an exec's stdin closed: its output still comes);
                // the daemon's end closes both sides
                pump(fromClient::read, (buffer, n) -> daemon.write(ByteBuffer.wrap(buffer, 0, n)), daemon::shutdownOutput,
                        client, daemon);
                pump(buffer -> daemon.read(ByteBuffer.wrap(buffer)), (buffer, n) -> {
                    toClient.write(buffer, 0, n);
                    toClient.flush();
                }, null, client, daemon);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private interface Reader {
        int read(byte[] buffer) throws IOException;
    }

    private interface Writer {
        void write(byte[] buffer, int length) throws IOException;
    }

    private interface EndOfInput {
        void pass() throws IOException;
    }

    /**
     * Copies one direction; at its end of input calls {@code atEnd} and stops, or closes both sides when
     * {@code atEnd} is null or the copy failed. The channel is used through read/write, not
     * {@code Channels.newInputStream}: those streams share the channel's blocking lock, so a blocked read would
     * stall the other direction's write.
     */
    private void pump(Reader from, Writer to, EndOfInput atEnd, AutoCloseable a, AutoCloseable b) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16384];
            boolean passed = false;
            try {
                for (int n; (n = from.read(buffer)) >= 0; ) {
                    if (n > 0) {
                        to.write(buffer, n);
                    }
                }
                if (atEnd != null) {
                    atEnd.pass();
                    passed = true;
                }
            } catch (IOException e) {
                // one side closed: close both below
            } finally {
                if (!passed) {
                    closeQuietly(a);
                    closeQuietly(b);
                }
            }
        }, "forwarder-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        dropAll();
    }
}
