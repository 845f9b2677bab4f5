package io.gantry.kubernetes;

import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadSink;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1ListMeta;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@link io.gantry.spi.EngineClient#listWorkloads(WorkloadSink)} read from the API server in pages, as kubectl and
 * client-go list: {@code limit=500} and the {@code continue} token of each answer. What workloads are made of
 * (ReplicaSets, Jobs, Pods, Gantry's Services) is read first, page by page, into a {@link ClusterInventory}; then the
 * workload kinds are read page by page and each page is mapped and handed to the sink as it arrives, so the workload
 * objects themselves are never all held. Every page is one call bounded by the call timeout: a listing that keeps
 * answering goes on however long it takes.
 *
 * <p>The first page of each workload kind is read before any batch is handed over: their {@code remainingItemCount}
 * (when the server gives it for all) is the total {@link WorkloadSink#expect}s. A continue token that expired (410
 * Gone: the listing outlived etcd's compaction window) restarts that kind's listing from the start once, skipping
 * what was already handed over.
 */
final class PagedWorkloadListing {
    static final int PAGE = 500;
    /** Listed page by page; owner-less ReplicaSets and Jobs are workloads too, and come from the inventory. */
    private static final List<ResourceType> PAGED = List.of(ResourceType.DEPLOYMENTS, ResourceType.STATEFULSETS,
            ResourceType.DAEMONSETS, ResourceType.CRONJOBS);
    private static final List<ResourceType> PARTS = List.of(ResourceType.REPLICASETS, ResourceType.JOBS,
            ResourceType.PODS, ResourceType.SERVICES);

    private final String engineName;
    private final KubernetesSettings settings;
    private final KubernetesApi api;
    private final ConfigKeys keys;

    PagedWorkloadListing(String engineName, KubernetesSettings settings, KubernetesApi api, ConfigKeys keys) {
        this.engineName = engineName;
        this.settings = settings;
        this.api = api;
        this.keys = keys;
    }

    void list(WorkloadSink sink) {
        ClusterInventory inventory = new ClusterInventory(keys);
        for (String scope : settings.scopes()) {
            for (ResourceType type : PARTS) {
                pages(type, scope, page -> page.getItems().forEach(o -> inventory.put((KubernetesObject) o)));
            }
        }
        List<Listing> listings = new ArrayList<>();
        long total = 0;
        boolean known = true;
        for (String scope : settings.scopes()) {
            for (ResourceType type : PAGED) {
                Listing listing = new Listing(type, scope, page(type, scope, null));
                listings.add(listing);
                V1ListMeta meta = listing.first.getMetadata();
                boolean more = meta != null && meta.getContinue() != null && !meta.getContinue().isEmpty();
                if (more && (meta.getRemainingItemCount() == null)) {
                    known = false;
                } else {
                    total += listing.first.getItems().size() + (more ? meta.getRemainingItemCount() : 0);
                }
            }
        }
        List<Workload> standalone = new ArrayList<>();
        for (WorkloadRef ref : inventory.refs()) {
            if (settings.allows(ref.namespace())) {
                standalone.add(inventory.workload(ref));
            }
        }
        if (known) {
            sink.expect(total + standalone.size());
        }
        for (Listing listing : listings) {
            listing.handTo(sink, inventory);
        }
        if (!standalone.isEmpty()) {
            sink.accept(standalone);
        }
    }

    /** One workload kind in one scope, from its first page on. */
    private final class Listing {
        private final ResourceType type;
        private final String scope;
        private final KubernetesListObject first;
        /** What was handed over, to skip it when an expired continue token makes the listing start again. */
        private final Set<String> handed = new HashSet<>();

        Listing(ResourceType type, String scope, KubernetesListObject first) {
            this.type = type;
            this.scope = scope;
            this.first = first;
        }

        void handTo(WorkloadSink sink, ClusterInventory inventory) {
            KubernetesListObject page = first;
            boolean restarted = false;
            while (true) {
                List<Workload> batch = new ArrayList<>();
                for (Object item : page.getItems()) {
                    KubernetesObject object = (KubernetesObject) item;
                    WorkloadRef ref = KubernetesWorkloadMapper.refOf(object);
                    if (ref != null && settings.allows(ref.namespace()) && handed.add(ref.nativeId())) {
                        batch.add(KubernetesWorkloadReader.toWorkload(object, inventory.pods(ref), inventory.service(ref),
                                keys));
                    }
                }
                if (!batch.isEmpty()) {
                    sink.accept(batch);
                }
                String next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
                if (next == null || next.isEmpty()) {
                    return;
                }
                try {
                    page = api.page(type, scope, PAGE, null, next);
                } catch (ApiException e) {
                    if (e.getCode() != 410 || restarted) {
                        throw failure(e, type, scope);
                    }
                    restarted = true;
                    page = page(type, scope, null);
                } catch (RuntimeException e) {
                    throw KubernetesErrors.unexpected(e);
                }
            }
        }
    }

    private interface PageHandler {
        void take(KubernetesListObject page);
    }

    /**
     * Every page of a collection (an expired continue token starts it again once: the inventory takes objects again
     * idempotently); one the credentials may not list (or the server does not serve) is skipped.
     */
    private void pages(ResourceType type, String scope, PageHandler handler) {
        String next = null;
        boolean restarted = false;
        do {
            KubernetesListObject page;
            try {
                page = api.page(type, scope, PAGE, null, next);
            } catch (ApiException e) {
                if (e.getCode() == 410 && !restarted) {
                    restarted = true;
                    next = null;
                    continue;
                }
                if (KubernetesErrors.unreadable(e.getCode(), type.rbacName(), scope) != null) {
                    return;
                }
                throw failure(e, type, scope);
            } catch (RuntimeException e) {
                throw KubernetesErrors.unexpected(e);
            }
            handler.take(page);
            next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
        } while (next != null && !next.isEmpty());
    }

    /** A first page; an unreadable kind answers as an empty list (ping names it). */
    private KubernetesListObject page(ResourceType type, String scope, String continueToken) {
        try {
            return api.page(type, scope, PAGE, null, continueToken);
        } catch (ApiException e) {
            if (KubernetesErrors.unreadable(e.getCode(), type.rbacName(), scope) != null) {
                return emptyList(type);
            }
            throw failure(e, type, scope);
        } catch (RuntimeException e) {
            throw KubernetesErrors.unexpected(e);
        }
    }

    private static KubernetesListObject emptyList(ResourceType type) {
        return KubernetesJson.gson().fromJson("{\"items\":[]}", type.listType());
    }

    private RuntimeException failure(ApiException e, ResourceType type, String scope) {
        if (e.getCode() == 410) {
            return new EngineUnavailableException("engine " + engineName + ": the listing of " + type.rbacName()
                    + (scope == null ? "" : " in " + scope) + " expired twice (410 Gone)");
        }
        return KubernetesErrors.toException(e, null);
    }
}
