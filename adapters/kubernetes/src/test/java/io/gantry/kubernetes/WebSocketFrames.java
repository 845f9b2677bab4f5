package io.gantry.kubernetes;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The server's side of RFC 6455 framing, enough for the exec emulator: the handshake's accept key, masked frames
 * from the client (fragments joined, pings answered), unmasked frames to it. Writes are synchronized: output pumps
 * and the reader's pongs share the stream.
 */
final class WebSocketFrames {
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    private static final int CONTINUATION = 0x0;
    private static final int PING = 0x9;
    private static final int PONG = 0xA;
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    /** Far above what a client sends the exec (stdin chunks, resizes). */
    private static final long MAX_MESSAGE = 16L << 20;

    /** A whole message: {@link #BINARY}, {@link #TEXT} or {@link #CLOSE}. */
    record Message(int opcode, byte[] payload) {
    }

    private final DataInputStream in;
    private final OutputStream out;
    private boolean closeSent;

    WebSocketFrames(InputStream in, OutputStream out) {
        this.in = new DataInputStream(in);
        this.out = new BufferedOutputStream(out, 16 * 1024);
    }

    /** {@code Sec-WebSocket-Accept} for the client's {@code Sec-WebSocket-Key} (RFC 6455 section 4.2.2). */
    static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest((key.trim() + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    /** The next data or close message; pings are answered on the way. EOF when the connection ended without a close. */
    Message read() throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        int messageOpcode = -1;
        while (true) {
            int first = in.readUnsignedByte();
            int second = in.readUnsignedByte();
            boolean fin = (first & 0x80) != 0;
            int opcode = first & 0x0F;
            long length = second & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            if (length > MAX_MESSAGE || message.size() + length > MAX_MESSAGE) {
                throw new IOException("a frame of " + length + " bytes");
            }
            byte[] mask = new byte[4];
            if ((second & 0x80) != 0) {
                in.readFully(mask);
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i % 4];
            }
            if (opcode == PING) {
                write(PONG, payload);
                continue;
            }
            if (opcode == PONG) {
                continue;
            }
            if (opcode == CLOSE) {
                return new Message(CLOSE, payload);
            }
            if (opcode != CONTINUATION) {
                messageOpcode = opcode;
            } else if (messageOpcode < 0) {
                throw new IOException("a continuation frame without a message");
            }
            message.write(payload);
            if (fin) {
                return new Message(messageOpcode, message.toByteArray());
            }
        }
    }

    /** One unmasked, unfragmented frame; nothing after a close. */
    synchronized void write(int opcode, byte[] payload) throws IOException {
        if (closeSent) {
            throw new EOFException("the close frame was sent");
        }
        closeSent = opcode == CLOSE;
        out.write(0x80 | opcode);
        if (payload.length < 126) {
            out.write(payload.length);
        } else if (payload.length <= 0xFFFF) {
            out.write(126);
            out.write(payload.length >>> 8);
            out.write(payload.length & 0xFF);
        } else {
            out.write(127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payload.length >>> shift) & 0xFF);
            }
        }
        out.write(payload);
        out.flush();
    }

    /** A close frame with a status code (1000: normal). */
    void close(int code) throws IOException {
        write(CLOSE, new byte[] {(byte) (code >>> 8), (byte) code});
    }
}
