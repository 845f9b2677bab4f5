package io.gantry.bench;

import java.nio.file.Path;

/**
 * The scale benchmark's command line: {@code ScaleBench <server jar> <bench jar> [--engines E] [--per-engine P]
 * [--stream-clients C] [--changes K] [--resyncs R]}. The defaults are issue 22's: 50 engines of 20,000 workloads,
 * 1,000 stream clients.
 *
 * @param changes engine-side changes made per real engine (agent, dockerd) for the freshness rows
 * @param resyncs engines whose no-change resync is timed (each once)
 */
record ScaleOptions(Path serverJar, Path benchJar, int engines, int perEngine, int streamClients, int changes,
                    int resyncs) {
    static ScaleOptions parse(String[] args) {
        if (args.length < 2 || args.length % 2 != 0) {
            throw new IllegalArgumentException("usage: ScaleBench <server jar> <bench jar> [--engines E] [--per-engine P]"
                    + " [--stream-clients C] [--changes K] [--resyncs R]");
        }
        int engines = 50;
        int perEngine = 20_000;
        int clients = 1_000;
        int changes = 10;
        int resyncs = 5;
        for (int i = 2; i < args.length; i += 2) {
            int value = Integer.parseInt(args[i + 1].replace("_", "").replace(",", ""));
            if (value < 1) {
                throw new IllegalArgumentException(args[i] + " must be at least 1");
            }
            switch (args[i]) {
                case "--engines" -> engines = value;
                case "--per-engine" -> perEngine = value;
                case "--stream-clients" -> clients = value;
                case "--changes" -> changes = value;
                case "--resyncs" -> resyncs = value;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (perEngine > 9_999_999) {
            throw new IllegalArgumentException("--per-engine is at most 9,999,999 (synthetic://N)");
        }
        return new ScaleOptions(Path.of(args[0]), Path.of(args[1]), engines, perEngine, clients, changes,
                Math.min(resyncs, engines));
    }

    long workloads() {
        return (long) engines * perEngine;
    }
}
