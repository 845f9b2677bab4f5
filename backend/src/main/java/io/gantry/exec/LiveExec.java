package io.gantry.exec;

import io.gantry.spi.EngineException;
import io.gantry.spi.exec.ExecListener;
import io.gantry.spi.exec.ExecSession;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open session: the engine's {@link ExecSession} on one side, an {@link ExecOutput} on the other, with what the
 * record needs (bytes each way, last activity, why it ended) and the recording when there is one. It ends once,
 * whoever ends it: the command exiting, the engine failing, the client leaving, the idle sweep, a revocation.
 */
final class LiveExec implements ExecListener {
    private static final Logger log = LoggerFactory.getLogger(LiveExec.class);
    /** The end reasons others look for: the command's own end, the idle sweep, the server stopping. */
    static final String EXITED = "exited";
    static final String IDLE = "idle";
    static final String SERVER_STOPPED = "server stopped";

    private final ExecJournal.Entry record;
    private final ExecOutput output;
    private final Asciicast recording;
    private final Consumer<LiveExec> onEnd;
    private final AtomicReference<ExecSession> engineSession = new AtomicReference<>();
    private final AtomicReference<String> endReason = new AtomicReference<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile Integer exitCode;

    LiveExec(ExecJournal.Entry record, ExecOutput output, Asciicast recording, Consumer<LiveExec> onEnd) {
        this.record = record;
        this.output = output;
        this.recording = recording;
        this.onEnd = onEnd;
    }

    ExecJournal.Entry record() {
        return record;
    }

    void started(ExecSession session) {
        engineSession.set(session);
        if (ended.get()) {
            // ended (revoked, client gone) while the engine was starting it
            session.close();
        }
    }

    /** Keystrokes or a run's stdin. */
    void write(byte[] data) {
        touch();
        bytesIn.addAndGet(data.length);
        ExecSession session = engineSession.get();
        if (session != null && !ended.get()) {
            session.write(data);
        }
    }

    void closeStdin() {
        ExecSession session = engineSession.get();
        if (session != null) {
            session.closeStdin();
        }
    }

    void resize(int cols, int rows) {
        touch();
        ExecSession session = engineSession.get();
        if (session != null && !ended.get()) {
            session.resize(cols, rows);
        }
        if (recording != null) {
            synchronized (recording) {
                try {
                    recording.resize(cols, rows);
                } catch (IOException e) {
                    log.warn("Exec session {}: recording the resize failed: {}", record.id(), e.toString());
                }
            }
        }
    }

    /** Ends the session for {@code reason}: the engine kills the command, and its ending call completes the record. */
    void end(String reason) {
        endReason.compareAndSet(null, reason);
        ExecSession session = engineSession.get();
        if (session != null) {
            session.close();
        }
    }

    long idleNanos() {
        return System.nanoTime() - lastActivityNanos;
    }

    boolean isEnded() {
        return ended.get();
    }

    @Override
    public void onOutput(byte[] data, boolean stderr) {
        touch();
        bytesOut.addAndGet(data.length);
        if (recording != null) {
            synchronized (recording) {
                try {
                    recording.output(data);
                } catch (IOException e) {
                    log.warn("Exec session {}: recording output failed: {}", record.id(), e.toString());
                }
            }
        }
        output.output(data, stderr);
    }

    @Override
    public void onExit(int exitCode) {
        finish(exitCode, null);
    }

    @Override
    public void onFailure(EngineException failure) {
        finish(null, failure);
    }

    /** Also called by the server when the engine's ending call does not come (the start failed, a stuck adapter). */
    void finish(Integer exitCode, EngineException failure) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        this.exitCode = exitCode;
        endReason.compareAndSet(null, failure != null ? "failed: " + failure.getMessage() : EXITED);
        if (recording != null) {
            synchronized (recording) {
                try {
                    recording.close();
                } catch (IOException e) {
                    log.warn("Exec session {}: closing the recording failed: {}", record.id(), e.toString());
                }
            }
        }
        try {
            output.ended(exitCode, endReason.get(), failure);
        } finally {
            onEnd.accept(this);
        }
    }

    /** How it ended, once {@link #finish} ran. */
    ExecJournal.End ending() {
        return new ExecJournal.End(exitCode, bytesIn.get(), bytesOut.get(), endReason.get());
    }

    private void touch() {
        lastActivityNanos = System.nanoTime();
    }
}
