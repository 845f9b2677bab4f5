package io.gantry.kubernetes;

import io.gantry.spi.watch.Backoff;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ListerWatcher;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.util.CallGeneratorParams;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.Watchable;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The list and watch calls of one informer (one resource type in one scope). client-java's reflector
 * drives them: list, watch from the list's resourceVersion, watch again from the last version seen
 * when a stream ends or the server refuses connections, list again after 410 Gone or another error.
 * The feed makes the calls through {@link KubernetesApi} (paged lists, Gantry's codec) and adds what
 * the adapter needs to know of them:
 * <ul>
 *   <li>whether the type can be read at all: 403 or 404 makes it <em>unreadable</em>, left out of
 *       the cache's reads (ping names it) rather than holding them up;</li>
 *   <li>whether it is failing, for the listener's resync notices ({@link Health});</li>
 *   <li>a back-off with jitter: the reflector itself retries every second, forever;</li>
 *   <li>a stream whose read breaks (load balancers cut idle connections) ends like a stream the
 *       server closed, so the reflector resumes it from the last version seen, as client-go does,
 *       instead of listing everything again.</li>
 * </ul>
 */
final class InformerFeed implements ListerWatcher<KubernetesObject, KubernetesListObject> {
    private static final Logger LOG = LoggerFactory.getLogger(InformerFeed.class);
    private static final long FIRST_BACKOFF_MS = 500;
    private static final long MAX_BACKOFF_MS = 30_000;
    /** A stream that ends sooner than this (a proxy closing streams?) is not reopened at once. */
    private static final long QUICK_CLOSE_MS = 500;

    /** Told of the feed's failures and recoveries; called on the reflector's thread. */
    interface Health {
        void failed(String feed, String why);

        void recovered(String feed);

        void expired(String feed);
    }

    private final ResourceType type;
    private final String scope;
    private final String name;
    private final KubernetesApi api;
    private final Health health;
    private volatile String unreadable;
    private volatile boolean streaming;
    private volatile int listed = -1;
    /** Touched by the reflector's thread only. */
    private long pauseMs;
    private final Backoff backoff = new Backoff(Duration.ofMillis(FIRST_BACKOFF_MS), Duration.ofMillis(MAX_BACKOFF_MS));

    InformerFeed(ResourceType type, String scope, KubernetesApi api, Health health) {
        this.type = type;
        this.scope = scope;
        this.name = type.rbacName() + (scope == null ? "" : " in " + scope);
        this.api = api;
        this.health = health;
    }

    ResourceType type() {
        return type;
    }

    String name() {
        return name;
    }

    /** Why the type cannot be listed (403, 404), or {@code null} when the last list worked. */
    String unreadable() {
        return unreadable;
    }

    /** How many objects the last list brought, or -1 before the first. */
    int listed() {
        return listed;
    }

    /** A watch is open: a change made from now on reaches the informer. */
    boolean streaming() {
        return streaming;
    }

    /**
     * The whole collection, in pages. The reflector's resourceVersion ("0": any cached version will do)
     * is not passed on: Gantry reads consistently from etcd, as it did before informers. Events are not
     * kept (the adapter only passes new ones on), so their list only gives the version to watch from.
     */
    @Override
    public KubernetesListObject list(CallGeneratorParams params) throws ApiException {
        pause();
        try {
            KubernetesListObject list = type == ResourceType.EVENTS ? api.list(type, scope, 1) : api.listAll(type, scope, null);
            if (type == ResourceType.EVENTS) {
                list.getItems().clear();
            }
            listed = list.getItems().size();
            if (unreadable != null) {
                LOG.info("{} can be listed again", name);
                unreadable = null;
            }
            succeeded();
            return list;
        } catch (ApiException e) {
            failed(e);
            throw e;
        } catch (RuntimeException e) {
            failed(String.valueOf(e.getMessage()));
            throw e;
        }
    }

    @Override
    public Watchable<KubernetesObject> watch(CallGeneratorParams params) throws ApiException {
        pause();
        try {
            KubernetesWatch watch = api.watch(type, scope, params.resourceVersion, params.timeoutSeconds);
            succeeded();
            streaming = true;
            return new Stream(watch);
        } catch (ApiException e) {
            failed(e);
            throw e;
        }
    }

    private void succeeded() {
        backoff.reset();
        health.recovered(name);
    }

    private void failed(ApiException e) {
        streaming = false;
        if (e.getCode() == 410) {
            health.expired(name);
            return;
        }
        String why = KubernetesErrors.unreadable(e.getCode(), type.rbacName(), scope);
        if (why != null) {
            if (unreadable == null) {
                LOG.warn("{}; retrying every {} s", why, MAX_BACKOFF_MS / 1000);
            }
            unreadable = why;
            // the server answered: the connection is not what fails
            health.recovered(name);
            // a missing permission does not come back by itself quickly: retry it at the slowest pace
            pauseMs = MAX_BACKOFF_MS;
            return;
        }
        failed(e.getCode() == 0 ? String.valueOf(e.getCause()) : "HTTP " + e.getCode());
    }

    private void failed(String why) {
        streaming = false;
        pauseMs = backoff.next().toMillis();
        health.failed(name, why);
    }

    /** Waits out the back-off on the reflector's thread; stopping the informer interrupts it. */
    private void pause() throws ApiException {
        long wait = pauseMs;
        pauseMs = 0;
        if (wait == 0) {
            return;
        }
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException("the informer of " + name + " is stopping");
        }
    }

    /** One watch stream as the reflector reads it. */
    private final class Stream implements Watchable<KubernetesObject> {
        private final KubernetesWatch watch;
        private final long opened = System.nanoTime();
        private volatile Thread reader;
        private volatile boolean closed;

        Stream(KubernetesWatch watch) {
            this.watch = watch;
        }

        @Override
        public boolean hasNext() {
            reader = Thread.currentThread();
            try {
                if (!closed && watch.hasNext()) {
                    return true;
                }
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.debug("watch of {} broke; resuming from the last version seen", name, e);
                }
            }
            ended();
            return false;
        }

        private void ended() {
            streaming = false;
            if (System.nanoTime() - opened < QUICK_CLOSE_MS * 1_000_000) {
                pauseMs = Math.max(pauseMs, QUICK_CLOSE_MS);
            }
        }

        @Override
        public Watch.Response<KubernetesObject> next() {
            Watch.Response<KubernetesObject> event = watch.next();
            if ("ERROR".equals(event.type) && event.status != null && Integer.valueOf(410).equals(event.status.getCode())) {
                // the reflector lists again; the listener must learn that changes may have been missed
                health.expired(name);
            }
            return event;
        }

        @Override
        public java.util.Iterator<Watch.Response<KubernetesObject>> iterator() {
            return this;
        }

        /** The reflector closes a stream from its own thread, and from another when the informer stops. */
        @Override
        public void close() {
            closed = true;
            streaming = false;
            if (Thread.currentThread() == reader) {
                try {
                    watch.close();
                } catch (IOException | RuntimeException e) {
                    LOG.debug("closing the watch of {} failed", name, e);
                }
            } else {
                watch.cancel();
            }
        }
    }
}
