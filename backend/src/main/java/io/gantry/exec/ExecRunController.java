package io.gantry.exec;

import io.gantry.spi.EngineException;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.web.BadRequestException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * A command without a terminal: {@code POST /api/v1/workloads/{id}/instances/{instance}/exec} runs it to its end (or
 * its timeout) and answers its exit code and output (stdout and stderr as they came, at most
 * {@code gantry.exec.output-limit} bytes).
 */
@RestController
class ExecRunController {
    /** Stdin a run may carry: a command's input, not a file transfer. */
    static final int MAX_STDIN_CHARS = 1024 * 1024;

    private final ExecTargets targets;
    private final ExecSessions sessions;
    private final ExecSettings settings;

    ExecRunController(ExecTargets targets, ExecSessions sessions, ExecSettings settings) {
        this.targets = targets;
        this.sessions = sessions;
        this.settings = settings;
    }

    /**
     * @param command        argv, required
     * @param stdin          text fed to the command, then EOF; none: EOF at once
     * @param timeoutSeconds how long it may run before it is killed ({@code gantry.exec.default-timeout} when absent)
     */
    record ExecRunRequest(List<String> command, String stdin, Integer timeoutSeconds) {
    }

    /**
     * @param exitCode  the command's exit code; null when it timed out or the engine reported none
     * @param output    what it printed (stdout and stderr interleaved as they came), UTF-8
     * @param truncated whether output was cut at {@code gantry.exec.output-limit}
     * @param timedOut  whether it was killed at its timeout
     */
    record ExecRunResult(Integer exitCode, String output, boolean truncated, boolean timedOut) {
    }

    @PostMapping("/api/v1/workloads/{id}/instances/{instance}/exec")
    ExecRunResult run(@PathVariable UUID id, @PathVariable String instance, @RequestBody ExecRunRequest body,
                  Authentication caller, HttpServletRequest request) {
        if (body.command() == null || body.command().isEmpty()) {
            throw BadRequestException.field("command", "required: the argv to run, e.g. [\"ls\", \"-l\"]");
        }
        List<String> argv = ExecCommand.of(body.command(), "command");
        Duration timeout = timeout(body.timeoutSeconds());
        if (body.stdin() != null && body.stdin().length() > MAX_STDIN_CHARS) {
            throw BadRequestException.field("stdin", "at most " + MAX_STDIN_CHARS + " characters");
        }
        ExecTargets.Target target = targets.resolve(id, instance);
        Collected collected = new Collected(settings.outputLimit());
        LiveExec live = sessions.open(new ExecSessions.Opening(target, "run", argv, ExecRequest.plain(argv),
                caller.getName(), request.getRemoteAddr()), collected);
        if (body.stdin() != null && !body.stdin().isEmpty()) {
            live.write(body.stdin().getBytes(StandardCharsets.UTF_8));
        }
        live.closeStdin();
        try {
            Integer code = collected.ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return collected.result(code, false);
        } catch (TimeoutException e) {
            sessions.end(live, "timed out after " + timeout.toSeconds() + " s");
            return collected.result(null, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sessions.end(live, "interrupted");
            throw new IllegalStateException("interrupted while the command ran", e);
        } catch (ExecutionException e) {
            throw (EngineException) e.getCause();
        }
    }

    private Duration timeout(Integer seconds) {
        if (seconds == null) {
            return settings.defaultTimeout();
        }
        if (seconds < 1 || seconds > settings.maxTimeout().toSeconds()) {
            throw BadRequestException.field("timeoutSeconds", "must be between 1 and " + settings.maxTimeout().toSeconds());
        }
        return Duration.ofSeconds(seconds);
    }

    /** A run's output, kept up to the limit, and its end. */
    private static final class Collected implements ExecOutput {
        private final int limit;
        private final ByteArrayOutputStream output = new ByteArrayOutputStream();
        private final CompletableFuture<Integer> ended = new CompletableFuture<>();
        private boolean truncated;

        Collected(int limit) {
            this.limit = limit;
        }

        @Override
        public synchronized void output(byte[] data, boolean stderr) {
            int room = limit - output.size();
            if (data.length > room) {
                truncated = true;
            }
            output.write(data, 0, Math.max(0, Math.min(room, data.length)));
        }

        @Override
        public void ended(Integer exitCode, String reason, EngineException failure) {
            if (failure != null) {
                ended.completeExceptionally(failure);
            } else {
                ended.complete(exitCode);
            }
        }

        synchronized ExecRunResult result(Integer exitCode, boolean timedOut) {
            return new ExecRunResult(exitCode, output.toString(StandardCharsets.UTF_8), truncated, timedOut);
        }
    }
}
