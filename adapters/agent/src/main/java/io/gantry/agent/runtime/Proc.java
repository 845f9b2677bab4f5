package io.gantry.agent.runtime;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads Linux's {@code /proc} (proc(5)): process start times, process groups, CPU and memory use. */
public final class Proc {
    /** USER_HZ, the unit of the time fields in /proc/<pid>/stat; 100 on every Linux architecture Java runs on. */
    public static final double TICKS_PER_SECOND = 100.0;
    private static final long PAGE_SIZE = 4096;
    private static final Path ROOT = Path.of("/proc");

    private Proc() {
    }

    /**
     * The fields of {@code /proc/<pid>/stat} the agent uses.
     *
     * @param startTicks field 22, start time in ticks since boot: with the pid it names one process for good
     */
    public record Stat(long pid, char state, long ppid, long pgrp, long utimeTicks, long stimeTicks, long startTicks,
                       long rssBytes) {
        /** Zombies (Z) and dead (X) processes run nothing: a zombie may linger when nobody reaps it. */
        public boolean running() {
            return state != 'Z' && state != 'X';
        }
    }

    public static Optional<Stat> stat(long pid) {
        String text;
        try {
            text = Files.readString(ROOT.resolve(Long.toString(pid)).resolve("stat"));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        // comm (field 2) may hold spaces and parentheses: the fields after it start after the LAST ')'
        int close = text.lastIndexOf(')');
        if (close < 0) {
            return Optional.empty();
        }
        String[] f = text.substring(close + 2).trim().split(" ");
        if (f.length < 22) {
            return Optional.empty();
        }
        return Optional.of(new Stat(pid, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[2]),
                Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[19]), Long.parseLong(f[21]) * PAGE_SIZE));
    }

    /** Whether {@code pid} is still the process started at {@code startTicks} and has not ended. */
    public static boolean alive(long pid, long startTicks) {
        return pid > 0 && stat(pid).filter(s -> s.startTicks() == startTicks && s.running()).isPresent();
    }

    /** Live processes whose process group is {@code pgrp}. */
    public static List<Stat> group(long pgrp) {
        return scan(s -> s.pgrp() == pgrp);
    }

    /** {@code pid} and its live descendants, found through their parent pids. */
    public static List<Stat> tree(long pid) {
        return tree(pid, all());
    }

    /** Every live process: one /proc scan to share between several {@link #tree(long, List)} calls. */
    public static List<Stat> all() {
        return scan(s -> true);
    }

    /** {@code pid} and its descendants among {@code all}. */
    public static List<Stat> tree(long pid, List<Stat> all) {
        List<Stat> tree = new ArrayList<>();
        List<Long> frontier = new ArrayList<>(List.of(pid));
        all.stream().filter(s -> s.pid() == pid).forEach(tree::add);
        while (!frontier.isEmpty()) {
            List<Long> next = new ArrayList<>();
            for (Stat s : all) {
                if (frontier.contains(s.ppid())) {
                    tree.add(s);
                    next.add(s.pid());
                }
            }
            frontier = next;
        }
        return tree;
    }

    private static List<Stat> scan(java.util.function.Predicate<Stat> keep) {
        List<Stat> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(ROOT, p -> p.getFileName().toString().chars()
                .allMatch(Character::isDigit))) {
            for (Path dir : dirs) {
                stat(Long.parseLong(dir.getFileName().toString())).filter(Stat::running).filter(keep).ifPresent(out::add);
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }
}
