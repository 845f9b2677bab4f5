package io.gantry.kubernetes;

import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.Subscription;
import io.gantry.spi.WatchListener;
import io.gantry.spi.Workload;
import io.gantry.spi.config.ConfigKind;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1Service;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the adapter knows of one cluster, kept by client-java's informers: one {@link SharedInformerFactory}
 * per scope (the whole cluster, or each namespace of the allow-list, whose credentials often may list
 * nothing else), one informer per {@link ResourceType} in it. Their event handlers keep a
 * {@link ClusterInventory}, the stores joined by owner: it answers {@link #workloads}, and a pod's change
 * reaches the watch listeners as the full new state of the workload owning it.
 *
 * <p>Started once, on the first read or watch; stopped by {@link #close()}. Thread-safe.
 */
final class ClusterCache implements InformerFeed.Health, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterCache.class);
    private static final long POLL_MS = 10;

    private record Source(InformerFeed feed, SharedIndexInformer<KubernetesObject> informer, Handler handler) {
        /** Listed, its handler caught up with the list, (with {@code streamingToo}) watching; or not readable at all. */
        boolean ready(boolean streamingToo) {
            return feed.unreadable() != null
                    || (informer.hasSynced() && handler.caughtUp(feed) && (!streamingToo || feed.streaming()));
        }
    }

    private final String engineName;
    private final KubernetesSettings settings;
    private final List<SharedInformerFactory> factories = new ArrayList<>();
    private final List<Source> sources = new ArrayList<>();
    /** Fed by the informers' handlers; guarded by itself. */
    private final ClusterInventory inventory = new ClusterInventory(this::configKeys);
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean gap = new AtomicBoolean();
    private final ScheduledExecutorService redelivery;
    private boolean started;
    /** What the last {@link #workloads} mapped; replaced whole by each call. */
    private volatile Map<String, Mapped> lastMapped = Map.of();
    private volatile boolean closed;

    ClusterCache(String engineName, KubernetesApi api, KubernetesSettings settings) {
        this.engineName = engineName;
        this.settings = settings;
        for (String scope : settings.scopes()) {
            // informer.run() only starts the informer's own threads: run it on the caller's, so that close()
            // can never meet an informer whose start is still queued (it would start after its stop)
            SharedInformerFactory factory = new SharedInformerFactory(api.informerFactoryClient(), new CallerRunsExecutor(), false);
            for (ResourceType type : ResourceType.values()) {
                InformerFeed feed = new InformerFeed(type, scope, api, this);
                @SuppressWarnings("unchecked")
                Class<KubernetesObject> itemType = (Class<KubernetesObject>) type.itemType();
                // no informer resync: client-java hands the events of a re-list only to the handlers due for a
                // resync at that moment, so with one, changes found by a re-list after 410 could be dropped
                SharedIndexInformer<KubernetesObject> informer = factory.sharedIndexInformerFor(feed, itemType, 0,
                        (t, e) -> reflectorFailed(feed, e));
                if (type.isConfig()) {
                    informer.setTransform(KubernetesConfigObjects::keysOnly);
                }
                Handler handler = new Handler(type);
                informer.addEventHandler(handler);
                sources.add(new Source(feed, informer, handler));
            }
            factories.add(factory);
        }
        redelivery = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gantry-k8s-resync-" + engineName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the informers; idempotent. */
    synchronized void start() {
        if (started || closed) {
            return;
        }
        started = true;
        factories.forEach(SharedInformerFactory::startAllRegisteredInformers);
        long period = settings.resyncPeriod().toMillis();
        redelivery.scheduleAtFixedRate(this::redeliver, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Every workload, read from memory: the {@link ClusterInventory} the informers' handlers keep. Waits (at
     * most {@code wait}) until each readable type has been listed and none is failing; after that, the API
     * server is not asked but for {@code probe}, run when the cache was in sync already (a first sync's
     * lists are proof enough that the server answers). The inventory is the informers' stores joined by owner (pod -> ReplicaSet ->
     * Deployment); it changes under the same lock the watch's deliveries are computed under, so a change
     * delivered before this call is in its answer, as the sync worker's ordering rule needs.
     *
     * @throws EngineUnavailableException when that does not happen in time
     */
    List<Workload> workloads(Duration wait, Runnable probe) {
        if (awaitReady(Duration.ZERO, false) == null) {
            probe.run();
        }
        String notReady = awaitReady(wait, false);
        if (notReady != null) {
            throw new EngineUnavailableException("the informers of " + engineName + " are not in sync within " + wait
                    + ": " + notReady);
        }
        List<Inputs> inputs = new ArrayList<>();
        synchronized (inventory) {
            for (WorkloadRef ref : inventory.refs()) {
                if (settings.allows(ref.namespace())) {
                    inputs.add(new Inputs(ref, inventory.object(ref), inventory.pods(ref), inventory.service(ref)));
                }
            }
        }
        return mapped(inputs);
    }

    /**
     * One workload's object, the ReplicaSets or Jobs it controls and its Service, read from memory once the
     * informers are in sync (at most {@code wait}); {@code null} when the cache has no such workload.
     *
     * @throws EngineUnavailableException when the informers are not in sync in time
     */
    Owned owned(WorkloadRef ref, Duration wait) {
        String notReady = awaitReady(wait, false);
        if (notReady != null) {
            throw new EngineUnavailableException("the informers of " + engineName + " are not in sync within " + wait
                    + ": " + notReady);
        }
        synchronized (inventory) {
            KubernetesObject object = inventory.object(ref);
            return object == null ? null : new Owned(object, inventory.children(ref), inventory.service(ref));
        }
    }

    /**
     * The Secrets and ConfigMaps of the configured namespaces, keys only (the informers' transform drops values),
     * read from memory once the informers are in sync (at most {@code wait}). A type the credentials may not list
     * is left out.
     *
     * @throws EngineUnavailableException when the informers are not in sync in time
     */
    List<KubernetesObject> configs(Duration wait) {
        String notReady = awaitReady(wait, false);
        if (notReady != null) {
            throw new EngineUnavailableException("the informers of " + engineName + " are not in sync within " + wait
                    + ": " + notReady);
        }
        List<KubernetesObject> out = new ArrayList<>();
        for (Source source : sources) {
            if (source.feed().type().isConfig() && source.feed().unreadable() == null) {
                for (KubernetesObject o : source.informer().getIndexer().list()) {
                    if (settings.allows(KubernetesWorkloadMapper.namespaceOf(o.getMetadata()))) {
                        out.add(o);
                    }
                }
            }
        }
        return out;
    }

    /** {@link ConfigKeys} from memory, without waiting: {@code null} when the object is not cached (yet). */
    List<String> configKeys(String namespace, ConfigKind kind, String name) {
        ResourceType type = kind == ConfigKind.SECRET ? ResourceType.SECRETS : ResourceType.CONFIGMAPS;
        for (Source source : sources) {
            if (source.feed().type() == type) {
                KubernetesObject o = source.informer().getIndexer().getByKey(namespace + "/" + name);
                if (o != null) {
                    return KubernetesConfigObjects.keysOf(o);
                }
            }
        }
        return null;
    }

    /** Whether some scope's informer of {@code type} can list it (false only once every scope answered 403/404). */
    boolean readable(ResourceType type) {
        return sources.stream().filter(s -> s.feed().type() == type).anyMatch(s -> s.feed().unreadable() == null);
    }

    /** A workload object with what it controls and its published-ports Service ({@code null} when none). */
    record Owned(KubernetesObject object, List<KubernetesObject> children, V1Service service) {
    }

    /** What one workload is mapped from. */
    private record Inputs(WorkloadRef ref, KubernetesObject object, List<V1Pod> pods, V1Service service) {
    }

    /** A workload as last mapped, with the very objects it was mapped from. */
    private record Mapped(KubernetesObject object, Set<V1Pod> pods, V1Service service, Workload workload) {
        boolean mappedFrom(KubernetesObject o, List<V1Pod> p, V1Service s) {
            return object == o && service == s && pods.size() == p.size() && pods.containsAll(p);
        }
    }

    /**
     * The snapshot's workloads, each mapped again only when its object, pods or Service changed: an informer
     * replaces the objects that change and never mutates them, so the same instances mean the same workload.
     * Mapping is most of a resync's cost (the redacted native JSON of every object).
     */
    private List<Workload> mapped(List<Inputs> inputs) {
        Map<String, Mapped> previous = lastMapped;
        Map<String, Mapped> next = new HashMap<>();
        List<Workload> out = new ArrayList<>(inputs.size());
        for (Inputs in : inputs) {
            Mapped m = previous.get(in.ref().nativeId());
            if (m == null || !m.mappedFrom(in.object(), in.pods(), in.service())) {
                Set<V1Pod> identities = Collections.newSetFromMap(new IdentityHashMap<>());
                identities.addAll(in.pods());
                m = new Mapped(in.object(), identities, in.service(),
                        KubernetesWorkloadReader.toWorkload(in.object(), in.pods(), in.service(), this::configKeys));
            }
            next.put(in.ref().nativeId(), m);
            out.add(m.workload());
        }
        lastMapped = next;
        return out;
    }

    /**
     * Adds a listener. Waits (at most {@code wait}, then it goes on in the background) until every
     * readable type is listed and watched, so that a change made right after this returns is seen.
     * Meanwhile the listener hears only the resync notices (a 410, a failing stream): the states of the
     * first list are what its caller reads with {@code listWorkloads}.
     */
    Subscription subscribe(WatchListener listener, Duration wait) {
        Listener entry = new Listener(listener);
        listeners.add(entry);
        String notReady = awaitReady(wait, true);
        if (notReady != null) {
            LOG.warn("engine {}: watch not in sync within {} ({}); continuing in the background", engineName, wait, notReady);
        }
        entry.live = true;
        return () -> listeners.remove(entry);
    }

    private static final class Listener {
        private final WatchListener delegate;
        private volatile boolean live;

        Listener(WatchListener delegate) {
            this.delegate = delegate;
        }
    }

    /** {@code null} once every source is ready; else why not, when {@code wait} is over. */
    private String awaitReady(Duration wait, boolean streaming) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            String why = null;
            for (Source source : sources) {
                if (!source.ready(streaming) || (source.feed().unreadable() == null && failing.contains(source.feed().name()))) {
                    why = failing.contains(source.feed().name()) ? "the watch of " + source.feed().name() + " is failing"
                            : source.feed().name() + " not listed yet";
                    break;
                }
            }
            if (why == null || closed || System.nanoTime() > deadline) {
                return closed ? "closed" : why;
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
    }

    private final class Handler implements ResourceEventHandler<KubernetesObject> {
        private final ResourceType type;
        /**
         * Objects handed over as added: how far the handler has come through the first list. A delete does not take
         * one back: counting them, an object deleted right after the list (before anyone asked) left the handler
         * one short of the list for good, and the engine "not listed yet" until the informer listed again.
         */
        private final AtomicInteger added = new AtomicInteger();
        private volatile boolean caughtUp;

        Handler(ResourceType type) {
            this.type = type;
        }

        /**
         * The informer hands its first list to handlers on a thread of its own, after its store has it: until
         * the handler has had as many objects as that list brought, the inventory lacks some. Once caught up,
         * what follows is the watch's usual delay.
         */
        boolean caughtUp(InformerFeed feed) {
            if (!caughtUp && feed.listed() >= 0 && added.get() >= feed.listed()) {
                caughtUp = true;
            }
            return caughtUp;
        }

        @Override
        public void onAdd(KubernetesObject object) {
            added.incrementAndGet();
            if (type.isConfig()) {
                configChanged();
            } else {
                guarded(() -> changed(type, object));
            }
        }

        @Override
        public void onUpdate(KubernetesObject old, KubernetesObject now) {
            // a re-list hands every object over again; unchanged ones change nothing. Configs are read from the
            // informer's store itself.
            if (type.isConfig() && !Objects.equals(version(old), version(now))) {
                configChanged();
            } else if (!type.isConfig() && (type == ResourceType.EVENTS || !Objects.equals(version(old), version(now)))) {
                guarded(() -> changed(type, now));
            }
        }

        @Override
        public void onDelete(KubernetesObject object, boolean finalStateUnknown) {
            if (type.isConfig()) {
                configChanged();
                return;
            }
            if (object == null || type == ResourceType.EVENTS) {
                return;
            }
            guarded(() -> {
                List<EngineChange> changes;
                synchronized (inventory) {
                    Set<WorkloadRef> affected = inventory.remove(object);
                    changes = listeners.isEmpty() ? List.of() : states(affected);
                }
                deliver(changes);
            });
        }

        /**
         * Runs a handler's work, logging its failure here: client-java's own handler-failure log shares its logger
         * with the ERROR it writes on every normal stop, and the backend silences that logger (application.yml).
         */
        private void guarded(Runnable work) {
            try {
                work.run();
            } catch (RuntimeException e) {
                LOG.warn("engine {}: a {} change could not be mapped", engineName, type, e);
            }
        }
    }

    /**
     * A Secret's or ConfigMap's keys changed: a workload's {@code envFrom} reads differently now, though its own objects
     * are the same instances, so the next {@link #workloads} maps every workload again (configs change rarely).
     */
    private void configChanged() {
        lastMapped = Map.of();
    }

    private static String version(KubernetesObject o) {
        return o == null || o.getMetadata() == null ? null : o.getMetadata().getResourceVersion();
    }

    private void changed(ResourceType type, KubernetesObject object) {
        List<EngineChange> changes = new ArrayList<>();
        synchronized (inventory) {
            if (type == ResourceType.EVENTS) {
                WorkloadRef ref = inventory.workloadOf((CoreV1Event) object);
                if (ref != null && settings.allows(ref.namespace())) {
                    changes.add(new EngineChange.EventObserved(KubernetesWorkloadReader.toEvent((CoreV1Event) object,
                            ref.nativeId())));
                }
            } else {
                Set<WorkloadRef> affected = inventory.put(object);
                // nobody listens yet (a cache filled for listWorkloads): mapping states would be wasted
                if (!listeners.isEmpty()) {
                    changes.addAll(states(affected));
                }
            }
        }
        deliver(changes);
    }

    /** The periodic full re-delivery the listener contract asks for. */
    private void redeliver() {
        if (listeners.isEmpty()) {
            return;
        }
        List<EngineChange> changes;
        synchronized (inventory) {
            changes = states(new LinkedHashSet<>(inventory.refs()));
        }
        deliver(changes);
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

    private void deliver(List<EngineChange> changes) {
        for (EngineChange change : changes) {
            for (Listener listener : listeners) {
                if (closed) {
                    return;
                }
                if (!listener.live && !(change instanceof EngineChange.ResyncRequired)) {
                    continue;
                }
                try {
                    listener.delegate.onChange(change);
                } catch (RuntimeException e) {
                    LOG.warn("engine {}: watch listener failed", engineName, e);
                }
            }
        }
    }

    /**
     * The first failure of a stream asks the listeners to resync at once: they learn that the API server
     * is gone from a ping, which they send only at their next periodic resync (minutes away).
     */
    @Override
    public void failed(String feed, String why) {
        if (failing.add(feed)) {
            gap.set(true);
            LOG.warn("engine {}: watch of {} failed ({}); retrying with back-off", engineName, feed, why);
            deliver(List.of(new EngineChange.ResyncRequired("watch of " + feed + " failed (" + why + ")")));
        }
    }

    /** Once every stream is back, the gap may have lost changes: the listeners resync. */
    @Override
    public void recovered(String feed) {
        if (failing.remove(feed) && failing.isEmpty() && gap.compareAndSet(true, false)) {
            deliver(List.of(new EngineChange.ResyncRequired("watch reconnected after a gap")));
        }
    }

    @Override
    public void expired(String feed) {
        deliver(List.of(new EngineChange.ResyncRequired("watch of " + feed + " expired (410 Gone)")));
    }

    /** The reflector gave up a round (it lists again a second later); the feed has already said why. */
    private void reflectorFailed(InformerFeed feed, Throwable e) {
        if (!closed) {
            LOG.debug("engine {}: informer of {} lists again after: {}", engineName, feed.name(), e.toString());
        }
    }

    /** Stops every informer and its threads; the reflectors' open streams are cancelled. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        listeners.clear();
        redelivery.shutdownNow();
        factories.forEach(SharedInformerFactory::stopAllRegisteredInformers);
    }
}
