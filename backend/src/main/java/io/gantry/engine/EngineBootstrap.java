package io.gantry.engine;

import io.gantry.spi.EmbeddedEngineLauncher;
import io.gantry.web.BadRequestException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Before sync starts: upserts the engines declared in configuration and, when
 * {@code gantry.embedded-agent} is on, starts every embedded engine found on the classpath and
 * registers it as engine {@code local}. Embedded engines stop with the server. Settings under
 * {@code gantry.embedded-agent.} ({@code raw}, {@code task-user}, {@code task-dir}; env
 * {@code GANTRY_EMBEDDED_AGENT_RAW}...) are handed to the launchers, which read what their kind knows.
 */
@Component
@EnableConfigurationProperties(DeclaredEngines.class)
class EngineBootstrap implements SmartLifecycle {
    /** Runs before the sync coordinator, which starts at {@code SYNC_PHASE}. */
    static final int PHASE = 0;
    private static final Logger log = LoggerFactory.getLogger(EngineBootstrap.class);

    private final EngineService service;
    private final EngineAdapters adapters;
    private final DeclaredEngines declared;
    private final boolean embeddedEnabled;
    private final Path dataDir;
    private final Map<String, String> embeddedSettings;
    private final Supplier<Iterable<EmbeddedEngineLauncher>> launchers;
    private final List<EmbeddedEngineLauncher.EmbeddedEngine> running = new ArrayList<>();
    private volatile boolean started;

    @Autowired
    EngineBootstrap(EngineService service, EngineAdapters adapters, DeclaredEngines declared,
                    @Value("${gantry.embedded-agent:false}") boolean embeddedEnabled,
                    @Value("${gantry.data-dir}") Path dataDir,
                    // raw: the agent runs host processes for whoever started the server (java -jar); false for runc only
                    @Value("${gantry.embedded-agent.raw:true}") String raw,
                    @Value("${gantry.embedded-agent.task-user:}") String taskUser,
                    @Value("${gantry.embedded-agent.task-dir:}") String taskDir) {
        this(service, adapters, declared, embeddedEnabled, dataDir, settings(raw, taskUser, taskDir),
                () -> ServiceLoader.load(EmbeddedEngineLauncher.class, EngineBootstrap.class.getClassLoader()));
    }

    /**
     * @param embeddedSettings what each launcher is started with (see {@link EmbeddedEngineLauncher#start(Path, Map)})
     * @param launchers        the embedded engines to start; the classpath's in production
     */
    EngineBootstrap(EngineService service, EngineAdapters adapters, DeclaredEngines declared, boolean embeddedEnabled,
                    Path dataDir, Map<String, String> embeddedSettings,
                    Supplier<Iterable<EmbeddedEngineLauncher>> launchers) {
        this.service = service;
        this.adapters = adapters;
        this.declared = declared;
        this.embeddedEnabled = embeddedEnabled;
        this.dataDir = dataDir;
        this.embeddedSettings = Map.copyOf(embeddedSettings);
        this.launchers = launchers;
    }

    private static Map<String, String> settings(String raw, String taskUser, String taskDir) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("raw", raw);
        if (!taskUser.isBlank()) {
            settings.put("task-user", taskUser);
        }
        if (!taskDir.isBlank()) {
            settings.put("task-dir", taskDir);
        }
        return settings;
    }

    @Override
    public void start() {
        List<DeclaredEngines.DeclaredEngine> engines = declared.engines();
        for (int i = 0; i < engines.size(); i++) {
            DeclaredEngines.DeclaredEngine engine = engines.get(i);
            try {
                service.upsertByName(engine.request());
            } catch (BadRequestException e) {
                // what the API answers with a 400 stops the start: a declared engine is not silently skipped
                throw new IllegalStateException("gantry.engines[" + i + "] (" + engine.name() + ") is refused: "
                        + e.getMessage(), e);
            }
            log.info("Engine {} declared in configuration is registered", engine.name());
        }
        if (embeddedEnabled) {
            startEmbedded();
        }
        started = true;
    }

    private void startEmbedded() {
        for (EmbeddedEngineLauncher launcher : launchers.get()) {
            if (!adapters.knows(launcher.kind())) {
                log.warn("Embedded engine of kind {} has no adapter; not started", launcher.kind());
                continue;
            }
            String name = running.isEmpty() ? "local" : "local-" + launcher.kind();
            EmbeddedEngineLauncher.EmbeddedEngine engine = launcher.start(dataDir.resolve(launcher.kind()).toAbsolutePath(),
                    embeddedSettings);
            running.add(engine);
            service.upsertByName(new EngineRequest(name, launcher.kind(), engine.endpoint(), null,
                    engine.credentials(), null));
            log.info("Started embedded {} engine at {} as engine {}", launcher.kind(), engine.endpoint(), name);
        }
    }

    @Override
    public void stop() {
        for (EmbeddedEngineLauncher.EmbeddedEngine engine : running) {
            try {
                engine.close();
            } catch (RuntimeException e) {
                log.warn("Stopping the embedded engine at {} failed: {}", engine.endpoint(), e.toString());
            }
        }
        running.clear();
        started = false;
    }

    @Override
    public boolean isRunning() {
        return started;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
