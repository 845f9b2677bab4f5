package io.gantry.kubernetes;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.gson.reflect.TypeToken;
import io.gantry.spi.EngineChange;
import io.gantry.spi.Subscription;
import io.gantry.spi.WatchListener;
import io.gantry.spi.Workload;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.util.Watch;
import java.io.IOException;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;

/**
 * An informer, as client-go's reflector does it: per resource type and namespace, list (which
 * gives a resourceVersion), then watch from that version; a watch the server ends is resumed from
 * the last version seen; {@code 410 Gone} (the version left etcd's window) means list again and
 * tell the listener to resync. A stream that breaks is reopened from the last version seen. When
 * the API server cannot be reached, connecting is retried with exponential back-off (capped at
 * 30 s); the first failure of a stream asks the listener to resync at once (its ping then finds the
 * outage), and once every stream is back the store is re-listed and the listener told to resync, since
 * the gap may have lost changes. Every resync period each known workload is delivered again.
 *
 * <p>Pods, ReplicaSets, Jobs and Services are kept in a {@link ClusterInventory} so that a pod
 * change is delivered as the full new state of the workload owning it.
 */
final class KubernetesWatcher implements Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesWatcher.class);
    static final Duration MIN_WATCH = Duration.ofMinutes(5);
    private static final long MAX_BACKOFF_MS = 30_000;
    private static final long FIRST_BACKOFF_MS = 500;
    private static final Duration QUICK_CLOSE = Duration.ofMillis(500);

    private final String engineName;
    private final KubernetesApi api;
    private final KubernetesSettings settings;
    private final WatchListener listener;
    private final ClusterInventory inventory = new ClusterInventory();
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private final Set<Call> openCalls = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean gap = new AtomicBoolean();
    private final ScheduledExecutorService resync;
    private volatile boolean closed;
    private CountDownLatch synced;

    KubernetesWatcher(String engineName, KubernetesApi api, KubernetesSettings settings, WatchListener listener) {
        this.engineName = engineName;
        this.api = api;
        this.settings = settings;
        this.listener = listener;
        this.resync = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gantry-k8s-resync-" + engineName);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts one thread per resource type and namespace and waits (at most the call timeout) until
     * each has listed and opened its watch, so that a change made right after this returns is seen.
     */
    void start() {
        List<String> scopes = settings.scopes();
        synced = new CountDownLatch(scopes.size() * ResourceType.values().length);
        for (String scope : scopes) {
            for (ResourceType type : ResourceType.values()) {
                Thread t = new Thread(() -> loop(type, scope),
                        "gantry-k8s-watch-" + engineName + "-" + type.rbacName() + (scope == null ? "" : "-" + scope));
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }
        long period = settings.resyncPeriod().toMillis();
        resync.scheduleAtFixedRate(this::redeliver, period, period, TimeUnit.MILLISECONDS);
        try {
            if (!synced.await(settings.callTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("engine {}: watch not in sync within {}; continuing in the background",
                        engineName, settings.callTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop(ResourceType type, String scope) {
        String name = type.rbacName() + (scope == null ? "" : " in " + scope);
        Cursor cursor = new Cursor();
        boolean listed = false;
        long backoff = FIRST_BACKOFF_MS;
        boolean countedDown = false;
        while (!closed) {
            boolean streaming = false;
            try {
                if (cursor.resourceVersion == null) {
                    cursor.resourceVersion = relist(type, scope, listed);
                    listed = true;
                }
                OpenWatch watch = open(type, scope, cursor.resourceVersion);
                if (!countedDown) {
                    synced.countDown();
                    countedDown = true;
                }
                recovered(name);
                backoff = FIRST_BACKOFF_MS;
                streaming = true;
                long opened = System.nanoTime();
                boolean gone = consume(watch, type, cursor);
                if (System.nanoTime() - opened < QUICK_CLOSE.toNanos()) {
                    // a watch ended at once (a proxy closing streams?): do not spin on reconnects
                    sleep(QUICK_CLOSE.toMillis());
                }
                if (gone) {
                    cursor.resourceVersion = null;
                    deliver(List.of(new EngineChange.ResyncRequired("watch of " + name + " expired (410 Gone)")));
                }
            } catch (ApiException e) {
                if (e.getCode() == 410) {
                    cursor.resourceVersion = null;
                    deliver(List.of(new EngineChange.ResyncRequired("watch of " + name + " expired (410 Gone)")));
                    continue;
                }
                String why = e.getCode() == 0 ? String.valueOf(e.getCause()) : "HTTP " + e.getCode();
                backoff = failed(name, why, backoff, e.getCode() == 403);
                cursor.resourceVersion = null;
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                if (streaming) {
                    // an open stream broke (load balancers cut idle connections): resume from the last
                    // version seen, as client-go's reflector does; if the server is gone, opening fails next
                    sleep(FIRST_BACKOFF_MS);
                    continue;
                }
                backoff = failed(name, String.valueOf(e.getMessage()), backoff, false);
                cursor.resourceVersion = null;
            }
            if (!countedDown && failing.contains(name)) {
                // a stream that cannot start must not hold up start(): the others may still work
                synced.countDown();
                countedDown = true;
            }
        }
    }

    /** Where one stream is: the last resourceVersion it saw, or {@code null} when it must list again. */
    private static final class Cursor {
        private String resourceVersion;
    }

    private record OpenWatch(Watch<KubernetesObject> watch, Call call) {
    }

    private OpenWatch open(ResourceType type, String scope, String resourceVersion) throws ApiException {
        // spread the server-side timeouts like client-go does, so streams do not all reconnect together
        int timeout = (int) (MIN_WATCH.toSeconds() * (1 + ThreadLocalRandom.current().nextDouble()));
        Type watchType = TypeToken.getParameterized(Watch.Response.class, type.itemType()).getType();
        Call call = api.watchCall(type, scope, resourceVersion, timeout);
        openCalls.add(call);
        try {
            return new OpenWatch(Watch.createWatch(api.streams(), call, watchType), call);
        } catch (ApiException | RuntimeException e) {
            openCalls.remove(call);
            throw e;
        }
    }

    /** Reads a watch to its end, moving the cursor; returns true when the server said 410 Gone. */
    private boolean consume(OpenWatch open, ResourceType type, Cursor cursor) throws IOException {
        try {
            for (Watch.Response<KubernetesObject> event : open.watch()) {
                if (closed) {
                    return false;
                }
                if ("ERROR".equals(event.type)) {
                    Integer code = event.status == null ? null : event.status.getCode();
                    if (code != null && code == 410) {
                        return true;
                    }
                    throw new IOException("watch error: " + KubernetesErrors.message(code == null ? 500 : code, event.status));
                }
                if (event.object == null || event.object.getMetadata() == null) {
                    continue;
                }
                if (event.object.getMetadata().getResourceVersion() != null) {
                    cursor.resourceVersion = event.object.getMetadata().getResourceVersion();
                }
                if (!"BOOKMARK".equals(event.type)) {
                    apply(type, event.type, event.object);
                }
            }
        } finally {
            openCalls.remove(open.call());
            closeQuietly(open.watch());
        }
        return false;
    }

    private void apply(ResourceType type, String eventType, KubernetesObject object) {
        List<EngineChange> changes = new ArrayList<>();
        synchronized (inventory) {
            if (type == ResourceType.EVENTS) {
                if ("ADDED".equals(eventType) || "MODIFIED".equals(eventType)) {
                    CoreV1Event event = (CoreV1Event) object;
                    WorkloadRef ref = inventory.workloadOf(event);
                    if (ref != null) {
                        changes.add(new EngineChange.EventObserved(KubernetesWorkloadMapper.toEvent(event, ref.nativeId())));
                    }
                }
            } else if ("ADDED".equals(eventType) || "MODIFIED".equals(eventType)) {
                changes.addAll(states(inventory.put(object)));
            } else if ("DELETED".equals(eventType)) {
                changes.addAll(states(inventory.remove(object)));
            }
        }
        deliver(changes);
    }

    /**
     * Lists one type into the store, replacing what was there; with {@code report}, the workloads
     * that changed meanwhile are delivered. Returns the list's resourceVersion.
     */
    private String relist(ResourceType type, String scope, boolean report) throws ApiException {
        // events are not stored: only the version to watch from is needed, so one item is enough
        KubernetesListObject list = type == ResourceType.EVENTS ? api.list(type, scope, 1) : api.listAll(type, scope, null);
        List<EngineChange> changes = new ArrayList<>();
        if (type != ResourceType.EVENTS) {
            synchronized (inventory) {
                Set<WorkloadRef> affected = new LinkedHashSet<>();
                Set<String> seen = new HashSet<>();
                for (KubernetesObject o : list.getItems()) {
                    seen.add(o.getMetadata().getNamespace() + "/" + o.getMetadata().getName());
                    affected.addAll(inventory.put(o));
                }
                for (KubernetesObject old : inventory.objects(type, scope)) {
                    if (!seen.contains(old.getMetadata().getNamespace() + "/" + old.getMetadata().getName())) {
                        affected.addAll(inventory.remove(old));
                    }
                }
                if (report) {
                    changes.addAll(states(affected));
                }
            }
        }
        deliver(changes);
        return list.getMetadata() == null ? null : list.getMetadata().getResourceVersion();
    }

    /** The new state of each affected workload: changed, or removed when the store no longer has it. */
    private List<EngineChange> states(Set<WorkloadRef> refs) {
        List<EngineChange> changes = new ArrayList<>();
        for (WorkloadRef ref : refs) {
            if (!settings.allows(ref.namespace())) {
                continue;
            }
            Workload w = inventory.workload(ref);
            changes.add(w != null ? new EngineChange.WorkloadChanged(w) : new EngineChange.WorkloadRemoved(ref.nativeId()));
        }
        return changes;
    }

    private long failed(String stream, String why, long backoff, boolean forbidden) {
        if (failing.add(stream)) {
            gap.set(true);
            LOG.warn("engine {}: watch of {} failed ({}); retrying with back-off",
                    engineName, stream, why);
            if (!forbidden) {
                // the caller learns that the API server is gone from a ping, which it sends only at its next
                // periodic resync (minutes away): ask for a resync now, so the outage shows within a call timeout
                deliver(List.of(new EngineChange.ResyncRequired("watch of " + stream + " failed (" + why + ")")));
            }
        }
        // a missing permission does not come back by itself quickly: retry it at the slowest pace
        long wait = forbidden ? MAX_BACKOFF_MS : backoff;
        sleep(wait + ThreadLocalRandom.current().nextLong(wait / 4 + 1));
        return Math.min(backoff * 2, MAX_BACKOFF_MS);
    }

    private void recovered(String stream) {
        if (failing.remove(stream) && failing.isEmpty() && gap.compareAndSet(true, false)) {
            deliver(List.of(new EngineChange.ResyncRequired("watch reconnected after a gap")));
        }
    }

    private void redeliver() {
        List<EngineChange> changes;
        synchronized (inventory) {
            changes = states(new LinkedHashSet<>(inventory.refs()));
        }
        deliver(changes);
    }

    private void deliver(List<EngineChange> changes) {
        for (EngineChange change : changes) {
            if (closed) {
                return;
            }
            try {
                listener.onChange(change);
            } catch (RuntimeException e) {
                LOG.warn("engine {}: watch listener failed", engineName, e);
            }
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        resync.shutdownNow();
        // cancel, not close: the response body belongs to the reading thread (okio is not thread-safe);
        // the reader then fails its read and closes the body itself
        openCalls.forEach(Call::cancel);
        threads.forEach(Thread::interrupt);
    }

    private static void closeQuietly(Watch<?> watch) {
        try {
            watch.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing a watch failed", e);
        }
    }
}
