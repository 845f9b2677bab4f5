package io.gantry.exec;

import io.gantry.spi.EngineException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A console's output side: engine output as binary frames, the end as a text frame ({@code {"exit": code}} or
 * {@code {"error": {...}}}) before the close. The engine starts before the WebSocket is open (so that its refusals are
 * HTTP problems), so whatever it says first waits here until {@link #attach}.
 */
final class ConsoleBridge implements ExecOutput {
    private static final Logger log = LoggerFactory.getLogger(ConsoleBridge.class);
    /** A client that falls this far behind the command's output is cut off rather than buffered without end. */
    private static final int SEND_BUFFER_BYTES = 4 * 1024 * 1024;
    private static final int SEND_TIME_LIMIT_MS = 30_000;
    /** The WebSocket close code for an idle console, as for other policy ends (RFC 6455, 1008). */
    static final CloseStatus IDLE = CloseStatus.POLICY_VIOLATION.withReason("idle");

    private final JsonMapper json;
    private final List<WebSocketMessage<?>> early = new ArrayList<>();
    private WebSocketSession socket;
    private CloseStatus closing;

    ConsoleBridge(JsonMapper json) {
        this.json = json;
    }

    synchronized void attach(WebSocketSession session) {
        socket = new ConcurrentWebSocketSessionDecorator(session, SEND_TIME_LIMIT_MS, SEND_BUFFER_BYTES);
        early.forEach(this::send);
        early.clear();
        if (closing != null) {
            close(closing);
        }
    }

    @Override
    public synchronized void output(byte[] data, boolean stderr) {
        send(new BinaryMessage(data));
    }

    /**
     * The command's own end is {@code {"exit": code}} and a normal close; an end the server chose (idle, access
     * revoked, server stopping) or an engine failure is {@code {"error": {"title", "detail"}}}, so that the user
     * reads why rather than the exit code of a killed shell.
     */
    @Override
    public synchronized void ended(Integer exitCode, String reason, EngineException failure) {
        ObjectNode end = json.createObjectNode();
        CloseStatus status;
        if (failure == null && LiveExec.EXITED.equals(reason) && exitCode != null) {
            end.put("exit", exitCode);
            status = CloseStatus.NORMAL;
        } else {
            ObjectNode error = end.putObject("error");
            if (failure != null) {
                error.put("title", "Engine failure");
                error.put("detail", failure.getMessage());
                status = CloseStatus.SERVER_ERROR;
            } else if (LiveExec.IDLE.equals(reason)) {
                error.put("title", "Idle");
                error.put("detail", "closed after a time without input or output (gantry.exec.idle-timeout)");
                status = IDLE;
            } else {
                error.put("title", "Ended by the server");
                error.put("detail", reason);
                status = LiveExec.SERVER_STOPPED.equals(reason) ? CloseStatus.GOING_AWAY : CloseStatus.POLICY_VIOLATION;
            }
            if (exitCode != null) {
                error.put("exitCode", exitCode);
            }
        }
        send(new TextMessage(end.toString()));
        closing = status;
        if (socket != null) {
            close(status);
        }
    }

    /** A text frame {@code {"notice": "..."}} about a control message the server ignored. */
    synchronized void notice(String text) {
        ObjectNode notice = json.createObjectNode();
        notice.put("notice", text);
        send(new TextMessage(notice.toString()));
    }

    private void send(WebSocketMessage<?> message) {
        if (socket == null) {
            early.add(message);
            return;
        }
        if (!socket.isOpen()) {
            return;
        }
        try {
            socket.sendMessage(message);
        } catch (IOException | IllegalStateException e) {
            // a client that left or fell behind: its close ends the session (ExecSocketHandler)
            log.debug("Console {}: send failed: {}", socket.getId(), e.toString());
        }
    }

    private void close(CloseStatus status) {
        try {
            socket.close(status);
        } catch (IOException e) {
            log.debug("Console {}: close failed: {}", socket.getId(), e.toString());
        }
    }
}
