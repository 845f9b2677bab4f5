package io.gantry.spi;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Exact conversions between engine notations and the model's units. Kubernetes quantity
 * syntax is the widest of the engines' (it covers Marathon's {@code cpus: 0.5}, Swarm's NanoCPUs
 * divide cleanly), so it is what the parsers accept: {@code 500m}, {@code 1.5}, {@code 0.25},
 * {@code 2}, {@code 256Mi}, {@code 1G}, {@code 1.5Gi}, {@code 129e6}, {@code 128974848}.
 * Fractions below one millicore or one byte round up, as Kubernetes does.
 */
public final class Quantities {
    private static final Pattern QUANTITY =
            Pattern.compile("^([+]?[0-9]*\\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\\s*([a-zA-Z]{0,2})$");
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    private static final BigDecimal MIB = BigDecimal.valueOf(1024L * 1024L);
    private static final long NANOS_PER_MILLICORE = 1_000_000L;

    private Quantities() {
    }

    /** CPU in cores ({@code 1.5}) or millicores ({@code 500m}) to millicores. */
    public static long parseCpuMillis(String quantity) {
        Matcher m = match(quantity, "cpu");
        BigDecimal number = new BigDecimal(m.group(1));
        BigDecimal millis = switch (m.group(2)) {
            case "" -> number.multiply(THOUSAND);
            case "m" -> number;
            case "u" -> number.divide(THOUSAND);
            case "n" -> number.divide(BigDecimal.valueOf(NANOS_PER_MILLICORE));
            case "k" -> number.multiply(THOUSAND).multiply(THOUSAND);
            default -> throw new IllegalArgumentException("unknown CPU unit '" + m.group(2) + "' in '" + quantity + "'");
        };
        return ceilToLong(millis, quantity);
    }

    /** Cores as a decimal number (Marathon's {@code cpus}) to millicores. */
    public static long coresToMillis(double cores) {
        return ceilToLong(BigDecimal.valueOf(cores).multiply(THOUSAND), String.valueOf(cores));
    }

    /** Millicores to cores, exact ({@code 500 -> 0.5}). */
    public static BigDecimal millisToCores(long millis) {
        return BigDecimal.valueOf(millis).divide(THOUSAND).stripTrailingZeros();
    }

    /** Docker's NanoCPUs to millicores. */
    public static long nanoCpusToMillis(long nanoCpus) {
        return ceilToLong(BigDecimal.valueOf(nanoCpus).divide(BigDecimal.valueOf(NANOS_PER_MILLICORE)),
                String.valueOf(nanoCpus));
    }

    /** Millicores to Docker's NanoCPUs. */
    public static long millisToNanoCpus(long millis) {
        return Math.multiplyExact(millis, NANOS_PER_MILLICORE);
    }

    /** Memory with a binary ({@code Ki Mi Gi Ti Pi Ei}) or decimal ({@code k M G T P E}) suffix to bytes. */
    public static long parseMemoryBytes(String quantity) {
        Matcher m = match(quantity, "memory");
        BigDecimal number = new BigDecimal(m.group(1));
        String unit = m.group(2);
        BigDecimal factor = switch (unit) {
            case "" -> BigDecimal.ONE;
            case "Ki" -> BigDecimal.valueOf(1L << 10);
            case "Mi" -> BigDecimal.valueOf(1L << 20);
            case "Gi" -> BigDecimal.valueOf(1L << 30);
            case "Ti" -> BigDecimal.valueOf(1L << 40);
            case "Pi" -> BigDecimal.valueOf(1L << 50);
            case "Ei" -> BigDecimal.valueOf(1L << 60);
            case "k", "K" -> BigDecimal.TEN.pow(3);
            case "M" -> BigDecimal.TEN.pow(6);
            case "G" -> BigDecimal.TEN.pow(9);
            case "T" -> BigDecimal.TEN.pow(12);
            case "P" -> BigDecimal.TEN.pow(15);
            case "E" -> BigDecimal.TEN.pow(18);
            case "m" -> BigDecimal.ONE.divide(THOUSAND);
            default -> throw new IllegalArgumentException("unknown memory unit '" + unit + "' in '" + quantity + "'");
        };
        return ceilToLong(number.multiply(factor), quantity);
    }

    /** Marathon's {@code mem} (MiB, possibly fractional) to bytes. */
    public static long mebibytesToBytes(double mebibytes) {
        return ceilToLong(BigDecimal.valueOf(mebibytes).multiply(MIB), String.valueOf(mebibytes));
    }

    /** Bytes to MiB, exact as a decimal ({@code 268435456 -> 256}). */
    public static BigDecimal bytesToMebibytes(long bytes) {
        return BigDecimal.valueOf(bytes).divide(MIB).stripTrailingZeros();
    }

    /** Millicores in Kubernetes notation: {@code 2} for whole cores, else {@code 500m}. */
    public static String formatCpu(long millis) {
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : millis + "m";
    }

    /** Bytes in the largest binary unit that divides them exactly ({@code 256Mi}, {@code 1536Ki}, {@code 1000}). */
    public static String formatMemory(long bytes) {
        String[] units = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
        for (int i = 0; i < units.length; i++) {
            long factor = 1L << (10 * (units.length - i));
            if (bytes != 0 && bytes % factor == 0) {
                return bytes / factor + units[i];
            }
        }
        return Long.toString(bytes);
    }

    private static Matcher match(String quantity, String what) {
        if (quantity == null || quantity.isBlank()) {
            throw new IllegalArgumentException("empty " + what + " quantity");
        }
        Matcher m = QUANTITY.matcher(quantity.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + quantity + "' is not a " + what + " quantity");
        }
        return m;
    }

    private static long ceilToLong(BigDecimal value, String source) {
        try {
            return value.setScale(0, RoundingMode.CEILING).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + source + "' is out of range", e);
        }
    }
}
