package io.gantry.spi.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.gantry.spi.EngineException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An {@link ExecListener} that keeps what an exec printed and how it ended, with the waits exec tests need. It also
 * checks the listener contract: one ending call, nothing after it.
 */
public final class ExecRecorder implements ExecListener {
    /** Generous: how fast a shell answers is not a test's figure. */
    public static final Duration WAIT = Duration.ofSeconds(20);

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile String contractBroken;

    @Override
    public synchronized void onOutput(byte[] data, boolean toStderr) {
        if (exit.isDone()) {
            contractBroken = "output after the session ended";
        }
        (toStderr ? stderr : stdout).writeBytes(data);
        notifyAll();
    }

    @Override
    public void onExit(int exitCode) {
        end(() -> exit.complete(exitCode));
    }

    @Override
    public void onFailure(EngineException failure) {
        end(() -> exit.completeExceptionally(failure));
    }

    private synchronized void end(Runnable completion) {
        if (exit.isDone()) {
            contractBroken = "a second ending call";
        }
        completion.run();
        notifyAll();
    }

    public synchronized String stdout() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    public synchronized String stderr() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    /** Waits until stdout holds {@code text}; fails the test with what came instead. */
    public synchronized String awaitStdout(String text) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!stdout().contains(text)) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || exit.isDone() && !stdout().contains(text)) {
                fail("expected '%s' on stdout within %s; got stdout '%s', stderr '%s', ended: %s", text, WAIT,
                        stdout(), stderr(), exit.isDone());
            }
            try {
                wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
        return stdout();
    }

    /** Waits for the exit code; fails the test when the session failed instead or did not end. */
    public int awaitExit() {
        try {
            int code = exit.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(contractBroken).as("listener contract").isNull();
            return code;
        } catch (ExecutionException e) {
            throw new AssertionError("the session failed instead of exiting; stdout '" + stdout() + "'", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no exit within " + WAIT + "; stdout '" + stdout() + "'");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The failure the session ended with, or {@code null} when it exited or has not ended. */
    public EngineException failure() {
        return exit.handle((code, failure) -> (EngineException) failure).getNow(null);
    }

    /** Waits for the one ending call, whichever it is; fails when none comes. */
    public void awaitEnd() {
        try {
            exit.handle((code, failure) -> null).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(contractBroken).as("listener contract").isNull();
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("the session did not end within " + WAIT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
