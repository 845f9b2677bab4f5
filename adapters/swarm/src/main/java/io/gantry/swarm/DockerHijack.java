package io.gantry.swarm;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A connection that dockerd takes over ("hijacks") after answering {@code POST /exec/{id}/start} with
 * {@code 101 UPGRADED}: from then on it carries the command's stdin one way and its output the other, with no HTTP
 * framing, and a half-close of our side is the command's end of input. httpclient cannot hand such a connection
 * over, so this speaks the one request itself, on the JDK's sockets: a unix socket, TCP, or TLS with the engine's
 * own {@link SwarmEndpoint#tls()} context (the same trust and client certificate as every other call).
 */
final class DockerHijack implements AutoCloseable {
    private static final int MAX_HEAD_BYTES = 16 * 1024;
    private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

    private final AutoCloseable socket;
    private final InputStream in;
    private final OutputStream out;
    private final IoAction shutdownOutput;
    private final AtomicBoolean closed = new AtomicBoolean();
    private int status;
    private int contentLength = -1;

    private interface IoAction {
        void run() throws IOException;
    }

    private DockerHijack(AutoCloseable socket, InputStream in, OutputStream out, IoAction shutdownOutput) {
        this.socket = socket;
        this.in = new BufferedInputStream(in);
        this.out = out;
        this.shutdownOutput = shutdownOutput;
    }

    /**
     * Connects, sends {@code POST path} with {@code jsonBody} asking for the upgrade, and reads the answer's head, all
     * within {@code deadline}; the connection is then either hijacked ({@link #upgraded()}) or holds dockerd's error
     * answer ({@link #errorBody()}).
     *
     * @throws IOException when dockerd cannot be reached or did not answer within the deadline
     */
    static DockerHijack post(SwarmEndpoint endpoint, String path, byte[] jsonBody, Duration deadline) throws IOException {
        Cutoff cutoff = new Cutoff();
        // a unix socket ignores read timeouts: the deadline closes whatever is open, which ends any blocked step
        ScheduledFuture<?> timer = DockerHttp.atDeadline(deadline, cutoff::expire);
        try {
            DockerHijack hijack = connect(endpoint, deadline, cutoff);
            cutoff.track(hijack);
            hijack.request(host(endpoint), path, jsonBody);
            hijack.readHead();
            return hijack;
        } catch (IOException | RuntimeException e) {
            cutoff.closeCurrent();
            if (cutoff.expired) {
                throw new SocketTimeoutException("no answer within " + deadline.toMillis() + " ms");
            }
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        } finally {
            timer.cancel(false);
        }
    }

    /** What the deadline of {@link #post} closes: the socket opened last, or the hijack once it exists. */
    private static final class Cutoff {
        private volatile boolean expired;
        private AutoCloseable current;

        synchronized void track(AutoCloseable socket) {
            current = socket;
            if (expired) {
                closeQuietly(socket);
            }
        }

        synchronized void expire() {
            expired = true;
            closeQuietly(current);
        }

        synchronized void closeCurrent() {
            closeQuietly(current);
        }
    }

    private static DockerHijack connect(SwarmEndpoint endpoint, Duration deadline, Cutoff cutoff) throws IOException {
        URI dockerHost = endpoint.dockerHost();
        if ("unix".equals(dockerHost.getScheme())) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            cutoff.track(channel);
            channel.connect(UnixDomainSocketAddress.of(dockerHost.getPath()));
            // the channel's own read and write, not Channels.newInputStream/newOutputStream: those share the
            // channel's blocking lock, so a read waiting for output would hold up every keystroke
            InputStream in = new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return len == 0 ? 0 : channel.read(ByteBuffer.wrap(b, off, len));
                }
            };
            OutputStream out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                }
            };
            return new DockerHijack(channel, in, out, channel::shutdownOutput);
        }
        String host = unbracketed(dockerHost.getHost());
        Socket socket = new Socket();
        cutoff.track(socket);
        socket.connect(new InetSocketAddress(host, dockerHost.getPort()), (int) Math.max(1, deadline.toMillis()));
        socket.setTcpNoDelay(true);
        if (endpoint.tls() == null) {
            return new DockerHijack(socket, socket.getInputStream(), socket.getOutputStream(), socket::shutdownOutput);
        }
        SSLSocket tls = (SSLSocket) endpoint.tls().getSocketFactory().createSocket(socket, host, dockerHost.getPort(), true);
        cutoff.track(tls);
        SSLParameters parameters = tls.getSSLParameters();
        // the host name check httpclient does for every other call
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        // closing stdin is a TLS close_notify on our side only, which a TLS 1.3 peer reads as end of input
        return new DockerHijack(tls, tls.getInputStream(), tls.getOutputStream(), tls::shutdownOutput);
    }

    private void request(String host, String path, byte[] body) throws IOException {
        String head = "POST " + path + " HTTP/1.1\r\n"
                + "Host: " + host + "\r\n"
                + "User-Agent: gantry\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: Upgrade\r\n"
                + "Upgrade: tcp\r\n"
                + "\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    private void readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the daemon closed the connection before answering");
            }
            if (head.size() >= MAX_HEAD_BYTES) {
                throw new IOException("the daemon's answer has no end of headers");
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
            throw new IOException("the daemon answered something other than HTTP");
        }
        try {
            status = Integer.parseInt(statusLine[1]);
            for (String line : lines) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    contentLength = Integer.parseInt(line.substring("content-length:".length()).trim());
                }
            }
        } catch (NumberFormatException e) {
            throw new IOException("the daemon's answer has a malformed head", e);
        }
    }

    /** Whether dockerd took the connection over: 101, or 200 from a daemon that streams without upgrading. */
    boolean upgraded() {
        return status == 101 || status == 200;
    }

    int status() {
        return status;
    }

    /**
     * The body of an answer that is not an upgrade (dockerd's {@code {"message": ...}}), bounded in size; read
     * within {@code deadline} and then the connection is closed.
     */
    byte[] errorBody(Duration deadline) {
        ScheduledFuture<?> timer = DockerHttp.atDeadline(deadline, this::close);
        try {
            return contentLength >= 0 ? in.readNBytes(Math.min(contentLength, MAX_ERROR_BODY_BYTES))
                    : in.readNBytes(MAX_ERROR_BODY_BYTES);
        } catch (IOException e) {
            return new byte[0];
        } finally {
            timer.cancel(false);
            close();
        }
    }

    /** What the command prints (raw with a tty, else Docker's multiplexed frames); blocks until output comes. */
    InputStream output() {
        return in;
    }

    /** Sends bytes to the command's stdin; blocks while dockerd does not take them. */
    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Ends the command's stdin: our side of the connection is closed, dockerd's output still comes. */
    void shutdownOutput() throws IOException {
        shutdownOutput.run();
    }

    boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeQuietly(socket);
        }
    }

    private static String host(SwarmEndpoint endpoint) {
        URI dockerHost = endpoint.dockerHost();
        // a unix socket has no host; dockerd ignores the header but HTTP/1.1 requires one
        return "unix".equals(dockerHost.getScheme()) ? "docker" : dockerHost.getHost() + ":" + dockerHost.getPort();
    }

    private static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            // closing is all that is left to do
        }
    }
}
