/**
 * Secrets and config objects an engine keeps, and the references workloads make to them
 * ({@link io.gantry.spi.EngineClient#listConfigs} and the methods after it).
 */
package io.gantry.spi.config;
