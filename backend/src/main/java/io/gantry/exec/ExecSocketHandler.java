package io.gantry.exec;

import org.springframework.stereotype.Component;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The client side of a console: binary frames are stdin, text frames are control messages
 * ({@code {"resize": {"cols": C, "rows": R}}}). The session it drives was opened by {@link ExecConsoleController}
 * and handed over in the WebSocket's attributes.
 */
@Component
class ExecSocketHandler extends AbstractWebSocketHandler {
    static final String LIVE = "gantry.exec.live";
    static final String BRIDGE = "gantry.exec.bridge";
    static final int MAX_FRAME_BYTES = 64 * 1024;

    private final JsonMapper json;
    private final ExecSessions sessions;

    ExecSocketHandler(JsonMapper json, ExecSessions sessions) {
        this.json = json;
        this.sessions = sessions;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        session.setBinaryMessageSizeLimit(MAX_FRAME_BYTES);
        session.setTextMessageSizeLimit(MAX_FRAME_BYTES);
        bridge(session).attach(session);
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
        byte[] data = new byte[message.getPayloadLength()];
        message.getPayload().get(data);
        live(session).write(data);
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        JsonNode resize;
        try {
            resize = json.readTree(message.getPayload()).path("resize");
        } catch (JacksonException e) {
            resize = null;
        }
        int cols = resize == null ? 0 : resize.path("cols").asInt(0);
        int rows = resize == null ? 0 : resize.path("rows").asInt(0);
        if (cols < 1 || cols > ExecConsoleController.MAX_CELLS || rows < 1 || rows > ExecConsoleController.MAX_CELLS) {
            // not worth ending a shell over: the client hears why and the terminal keeps its size
            bridge(session).notice("a control message must be {\"resize\": {\"cols\": 1-" + ExecConsoleController.MAX_CELLS
                    + ", \"rows\": 1-" + ExecConsoleController.MAX_CELLS + "}}");
            return;
        }
        live(session).resize(cols, rows);
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        sessions.end(live(session), "client closed");
    }

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        sessions.end(live(session), "connection failed: " + exception.getMessage());
    }

    private static LiveExec live(WebSocketSession session) {
        return (LiveExec) session.getAttributes().get(LIVE);
    }

    private static ConsoleBridge bridge(WebSocketSession session) {
        return (ConsoleBridge) session.getAttributes().get(BRIDGE);
    }
}
