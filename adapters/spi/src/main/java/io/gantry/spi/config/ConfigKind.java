package io.gantry.spi.config;

/** The two kinds of configuration object engines keep apart (Kubernetes Secret and ConfigMap, Swarm secret and config). */
public enum ConfigKind {
    /** Values are write-only: no adapter method returns them, and adapters redact them wherever they appear. */
    SECRET,
    /** Values may be read back by operators ({@link io.gantry.spi.EngineClient#readConfig}). */
    CONFIG
}
