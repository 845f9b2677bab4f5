package io.gantry.exec;

import io.gantry.spi.exec.ExecRequest;
import io.gantry.web.BadRequestException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.socket.server.HandshakeFailureException;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * A console in an instance: {@code GET /api/v1/workloads/{id}/instances/{instance}/exec} upgraded to a WebSocket.
 * An MVC route rather than a bare WebSocket mapping, so that everything refused before the upgrade (no role, other
 * origin, no such instance, not running, engine without exec, too many sessions, a bad command) is an ordinary
 * problem answer through the same advice as every route, and the route is in the access table and the API document.
 * The command starts before the upgrade for the same reason: an engine's refusal is then a status, not a closed socket.
 */
@RestController
class ExecConsoleController {
    static final int MAX_CELLS = 1000;

    private final ExecTargets targets;
    private final ExecSessions sessions;
    private final ExecSocketHandler handler;
    private final JsonMapper json;
    private final DefaultHandshakeHandler handshakes = new DefaultHandshakeHandler();

    ExecConsoleController(ExecTargets targets, ExecSessions sessions, ExecSocketHandler handler, JsonMapper json) {
        this.targets = targets;
        this.sessions = sessions;
        this.handler = handler;
        this.json = json;
    }

    /**
     * @param command argv, repeated; none: the first of {@code /bin/bash}, {@code /bin/sh} that exists there
     * @param tty     whether the command runs on a terminal (output is then one stream)
     * @param cols    the terminal's width at start
     * @param rows    the terminal's height at start
     */
    @GetMapping("/api/v1/workloads/{id}/instances/{instance}/exec")
    void console(@PathVariable UUID id, @PathVariable String instance,
                 @RequestParam(required = false) List<String> command,
                 @RequestParam(defaultValue = "true") boolean tty,
                 @RequestParam(defaultValue = "" + ExecRequest.DEFAULT_COLS) int cols,
                 @RequestParam(defaultValue = "" + ExecRequest.DEFAULT_ROWS) int rows,
                 Authentication caller, HttpServletRequest request, HttpServletResponse response) {
        if (!"websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) {
            throw BadRequestException.field("Upgrade", "this route is a WebSocket: send the upgrade handshake "
                    + "(Upgrade: websocket); for a command without a terminal, POST to the same path");
        }
        checkCells("cols", cols);
        checkCells("rows", rows);
        List<String> argv = ExecCommand.of(command, "command");
        ExecTargets.Target target = targets.resolve(id, instance);
        ConsoleBridge bridge = new ConsoleBridge(json);
        LiveExec live = sessions.open(new ExecSessions.Opening(target, "console", argv,
                new ExecRequest(argv, tty, cols, rows), caller.getName(), request.getRemoteAddr()), bridge);
        Map<String, Object> attributes = new HashMap<>();
        attributes.put(ExecSocketHandler.LIVE, live);
        attributes.put(ExecSocketHandler.BRIDGE, bridge);
        boolean upgraded = false;
        ServletServerHttpResponse upgrade = new ServletServerHttpResponse(response);
        try {
            // as Spring's WebSocketHttpRequestHandler does it: the handshake answers 101 (or its own 400) and the
            // response is closed, after which the container hands the connection to the handler
            upgraded = handshakes.doHandshake(new ServletServerHttpRequest(request), upgrade, handler, attributes);
        } catch (HandshakeFailureException e) {
            throw BadRequestException.field("Upgrade", "the WebSocket handshake failed: " + e.getMessage());
        } finally {
            if (!upgraded) {
                sessions.end(live, "handshake failed");
            }
        }
        upgrade.close();
    }

    private static void checkCells(String field, int value) {
        if (value < 1 || value > MAX_CELLS) {
            throw BadRequestException.field(field, "must be between 1 and " + MAX_CELLS);
        }
    }
}
