package io.gantry.spi;

/**
 * Resource limits, exact: CPU in millicores, memory in bytes. Use {@link Quantities} to convert
 * engine notations ({@code 500m}, {@code 1.5}, {@code 256Mi}).
 *
 * @param cpuMillis   CPU limit in millicores, or {@code null} when unlimited
 * @param memoryBytes memory limit in bytes, or {@code null} when unlimited
 */
public record Resources(Long cpuMillis, Long memoryBytes) {
    public static final Resources NONE = new Resources(null, null);
}
