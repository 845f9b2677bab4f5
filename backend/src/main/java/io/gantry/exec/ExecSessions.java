package io.gantry.exec;

import io.gantry.engine.EngineClients;
import io.gantry.spi.EngineException;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;
import io.gantry.stream.LiveStream;
import io.gantry.web.TooManyStreamsException;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The exec sessions open on this replica: opens them (within the per-user cap, on the record, recorded when asked),
 * and ends them when idle, when their user's access narrows, and when the server stops.
 */
@Component
@EnableConfigurationProperties(ExecSettings.class)
class ExecSessions {
    private static final Logger log = LoggerFactory.getLogger(ExecSessions.class);
    /** How long after asking an engine to end a session its ending call may take before the server ends it itself. */
    private static final long END_GRACE_SECONDS = 10;

    private final EngineClients clients;
    private final ExecJournal journal;
    private final ExecSettings settings;
    private final JsonMapper json;
    private final Map<UUID, LiveExec> open = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            new CustomizableThreadFactory("exec-end-"));

    ExecSessions(EngineClients clients, ExecJournal journal, ExecSettings settings, JsonMapper json, LiveStream stream) {
        this.clients = clients;
        this.journal = journal;
        this.settings = settings;
        this.json = json;
        stream.onAccessChange((username, reason) -> endAllOf(username, "access revoked: " + reason));
    }

    /** What a session runs, where, for whom. */
    record Opening(ExecTargets.Target target, String mode, List<String> command, ExecRequest request, String username,
                   String remoteAddress) {
    }

    /**
     * Starts the command in the engine and returns the open session; output flows to {@code output} from then on.
     *
     * @throws TooManyStreamsException past {@code gantry.exec.per-user}
     * @throws EngineException         as the engine refused it (not found, no exec, bad command, unavailable)
     */
    LiveExec open(Opening opening, ExecOutput output) {
        LiveExec live;
        synchronized (this) {
            long theirs = open.values().stream().filter(s -> s.record().username().equals(opening.username())).count();
            if (theirs >= settings.perUser()) {
                throw new TooManyStreamsException("gantry.exec.per-user", settings.perUser(), "You have " + theirs
                        + " consoles or commands open (at most " + settings.perUser() + "): close one first.");
            }
            UUID id = UUID.randomUUID();
            Asciicast cast = recording(id, opening);
            ExecJournal.Entry record = journal.start(id, opening.username(), opening.mode(), opening.target(),
                    opening.command(), opening.request().tty(), opening.remoteAddress(), cast == null ? null : recordingName(id));
            live = new LiveExec(record, output, cast, this::closed);
            open.put(id, live);
        }
        ExecTargets.Target target = opening.target();
        try {
            ExecSession session = clients.call(target.workload().engine().id(), "start a command in " + target.describe(),
                    c -> c.exec(target.workload().nativeId(), target.instance().id(), opening.request(), live));
            live.started(session);
        } catch (RuntimeException e) {
            live.finish(null, e instanceof EngineException ee ? ee : null);
            throw e;
        }
        return live;
    }

    /** Ends a session and makes sure it is on record as ended even if the engine never says so. */
    void end(LiveExec live, String reason) {
        live.end(reason);
        timers.schedule(() -> {
            if (!live.isEnded()) {
                log.warn("Exec session {}: the engine did not end it within {} s of being asked; ended here",
                        live.record().id(), END_GRACE_SECONDS);
                live.finish(null, null);
            }
        }, END_GRACE_SECONDS, TimeUnit.SECONDS);
    }

    /** Consoles with neither input nor output for {@code gantry.exec.idle-timeout}. */
    @Scheduled(fixedDelayString = "PT5S")
    void endIdle() {
        long limit = settings.idleTimeout().toNanos();
        open.values().stream().filter(s -> s.idleNanos() > limit).forEach(s -> end(s, LiveExec.IDLE));
    }

    /** Tells the record these sessions still live, so no other replica's sweep ends them. */
    @Scheduled(fixedDelayString = "PT1M")
    void touchOpen() {
        journal.touch(List.copyOf(open.keySet()));
    }

    int openCount() {
        return open.size();
    }

    @PreDestroy
    void stop() {
        open.values().forEach(s -> end(s, LiveExec.SERVER_STOPPED));
        open.values().forEach(s -> s.finish(null, null));
        timers.shutdownNow();
    }

    private void endAllOf(String username, String reason) {
        open.values().stream().filter(s -> s.record().username().equals(username)).forEach(s -> end(s, reason));
    }

    private void closed(LiveExec live) {
        open.remove(live.record().id());
        journal.end(live.record(), live.ending());
    }

    private Asciicast recording(UUID id, Opening opening) {
        if (!settings.record() || !"console".equals(opening.mode())) {
            return null;
        }
        try {
            return Asciicast.create(recordingFile(recordingName(id)), json, settings.recordingLimit(),
                    opening.request().cols(), opening.request().rows(), opening.command(), opening.target().describe());
        } catch (IOException e) {
            // the console still opens: losing a recording is logged, refusing the operator a shell would not help
            log.error("Exec session {}: cannot create its recording under {}: {}", id, settings.recordingDir(), e.toString());
            return null;
        }
    }

    private static String recordingName(UUID id) {
        return id + ".cast";
    }

    Path recordingFile(String name) {
        return settings.recordingDir().resolve(name);
    }
}
