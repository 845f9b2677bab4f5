package io.gantry.spi;

/** What a connected engine can do. The REST API shows these lower-case. */
public enum Capability {
    DEPLOY, UPDATE, SCALE, RESTART, DELETE, LOGS, LOGS_FOLLOW, WATCH, NODES, EVENTS,
    /** {@link EngineClient#usage} reports measured CPU and memory of a workload's instances. */
    USAGE,
    /** {@link EngineClient#exec} runs a command (a shell) in a running instance, with a terminal when asked. */
    EXEC,
    /** {@link EngineClient#relabel} changes a workload's labels. */
    LABEL,
    /** The engine keeps secret objects ({@link EngineClient#createConfig} with SECRET) and runs workloads with
     * {@link WorkloadSpec#secrets()} referencing them. */
    SECRETS,
    /** The engine keeps config objects ({@link EngineClient#createConfig} with CONFIG), readable back. */
    CONFIGS
}
