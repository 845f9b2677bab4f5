/**
 * The normalized workload model shared by every engine, and the {@link io.gantry.spi.EngineAdapter} port.
 *
 * <p>Plain Java with no dependencies. Records are immutable: collections are copied on
 * construction and never {@code null} (an absent list or map is empty). Optional scalar fields
 * are {@code null} when the engine does not report them.
 */
package io.gantry.spi;
