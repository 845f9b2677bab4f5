package io.gantry.marathon;

import io.gantry.spi.EngineEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The newest events of each workload, as the event stream saw them: Marathon keeps no event history to ask
 * for later. Bounded twice: events per workload, and workloads (the least recently used is forgotten).
 * Thread-safe.
 */
final class RecentEvents {
    private final int perWorkload;
    private final Map<String, Deque<EngineEvent>> byWorkload;

    RecentEvents(int workloads, int perWorkload) {
        this.perWorkload = perWorkload;
        this.byWorkload = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Deque<EngineEvent>> eldest) {
                return size() > workloads;
            }
        };
    }

    /** Keeps an event of a workload; events of no workload are not kept. */
    synchronized void remember(EngineEvent event) {
        if (event.workloadNativeId() == null) {
            return;
        }
        Deque<EngineEvent> q = byWorkload.computeIfAbsent(event.workloadNativeId(), k -> new ArrayDeque<>());
        q.addFirst(event);
        while (q.size() > perWorkload) {
            q.removeLast();
        }
    }

    /** The workload's kept events, newest first: a new, mutable list. */
    synchronized List<EngineEvent> of(String nativeId) {
        Deque<EngineEvent> seen = byWorkload.get(nativeId);
        return seen == null ? new ArrayList<>() : new ArrayList<>(seen);
    }
}
