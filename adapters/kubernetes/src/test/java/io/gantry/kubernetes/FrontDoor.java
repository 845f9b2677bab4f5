package io.gantry.kubernetes;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntSupplier;

/**
 * The {@link ApiServerFront}'s port, in front of its JDK {@code HttpServer}. Why: that server cannot hand a
 * connection over after {@code 101 Switching Protocols} (it ends the exchange there), and {@code pods/exec} is a
 * WebSocket. The door reads the first request head of each connection: a WebSocket upgrade is served on the raw
 * socket by {@link Upgrades}; any other connection is piped both ways, bytes untouched, to the HttpServer.
 *
 * <p>Looking at the first request is enough for OkHttp, which upgrades on a connection of its own (its WebSocket
 * calls are HTTP/1.1-only, so they share no pooled connection with other calls); an upgrade later on a kept-alive
 * connection would reach the HttpServer, which does not know it.
 */
final class FrontDoor implements AutoCloseable {
    private static final int MAX_HEAD = 64 * 1024;
    private static final int HEAD_TIMEOUT_MILLIS = 30_000;

    /** A request line and its headers (names in lower case), and the bytes they came as. */
    record RequestHead(String method, String path, String query, Map<String, String> headers, byte[] raw) {
    }

    interface Upgrades {
        /** Answers an upgrade request on its connection; returning (or throwing) ends the connection. */
        void serve(RequestHead head, Socket socket, InputStream in) throws IOException;
    }

    private final ServerSocket listening;
    private final IntSupplier backendPort;
    private final Upgrades upgrades;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "api-front-door");
        t.setDaemon(true);
        return t;
    });

    /** Listens on {@code port} of the loopback (0: any free one). */
    FrontDoor(int port, IntSupplier backendPort, Upgrades upgrades) throws IOException {
        this.backendPort = backendPort;
        this.upgrades = upgrades;
        listening = new ServerSocket();
        // a restart takes the same port back while the last connections are in TIME_WAIT
        listening.setReuseAddress(true);
        listening.bind(new InetSocketAddress("127.0.0.1", port));
        threads.execute(this::accept);
    }

    int port() {
        return listening.getLocalPort();
    }

    private void accept() {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                open.add(client);
                threads.execute(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setTcpNoDelay(true);
            client.setSoTimeout(HEAD_TIMEOUT_MILLIS);
            InputStream in = new BufferedInputStream(client.getInputStream());
            RequestHead head = readHead(in);
            if (head == null) {
                return;
            }
            client.setSoTimeout(0);
            if ("websocket".equalsIgnoreCase(head.headers().get("upgrade"))) {
                upgrades.serve(head, client, in);
            } else {
                pipe(head, client, in);
            }
        } catch (IOException e) {
            // one side went away: the connection ends with it
        } finally {
            open.remove(client);
        }
    }

    /** The bytes up to the blank line, parsed; {@code null} when the client sent nothing. */
    private static RequestHead readHead(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            raw.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
            if (raw.size() > MAX_HEAD) {
                throw new IOException("a request head over " + MAX_HEAD + " bytes");
            }
        }
        String[] lines = raw.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        String target = requestLine.length > 1 ? requestLine[1] : "/";
        int q = target.indexOf('?');
        return new RequestHead(requestLine[0], q < 0 ? target : target.substring(0, q), q < 0 ? "" : target.substring(q + 1),
                headers, raw.toByteArray());
    }

    private void pipe(RequestHead head, Socket client, InputStream in) throws IOException {
        try (Socket backend = new Socket()) {
            open.add(backend);
            backend.connect(new InetSocketAddress("127.0.0.1", backendPort.getAsInt()), 5_000);
            backend.setTcpNoDelay(true);
            OutputStream toBackend = backend.getOutputStream();
            toBackend.write(head.raw());
            toBackend.flush();
            threads.execute(() -> {
                try {
                    copy(backend.getInputStream(), client.getOutputStream());
                } catch (IOException e) {
                    // closed from the other side
                } finally {
                    closeQuietly(client);
                    closeQuietly(backend);
                }
            });
            copy(in, toBackend);
        } finally {
            open.removeIf(Socket::isClosed);
        }
    }

    private static void copy(InputStream from, OutputStream to) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        for (int n; (n = from.read(buffer)) > 0; ) {
            to.write(buffer, 0, n);
            to.flush();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** The port refuses connections, and every open one is cut (a server that went away). */
    @Override
    public void close() {
        try {
            listening.close();
        } catch (IOException e) {
            // already closed
        }
        open.forEach(FrontDoor::closeQuietly);
        open.clear();
        threads.shutdownNow();
    }
}
