package io.gantry.bulk;

import io.gantry.access.Scope;
import io.gantry.access.Scopes;
import io.gantry.compare.Comparison;
import io.gantry.compare.WorkloadComparator;
import io.gantry.engine.Engine;
import io.gantry.engine.EngineClients;
import io.gantry.engine.EngineStore;
import io.gantry.engine.PrivilegedRuntimes;
import io.gantry.revision.Revision;
import io.gantry.revision.Revisions;
import io.gantry.revision.SpecPreview;
import io.gantry.security.Role;
import io.gantry.spi.EngineException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.WorkloadSpec;
import io.gantry.web.BadRequestException;
import io.gantry.web.ProblemException;
import io.gantry.workload.WorkloadSelection;
import io.gantry.workload.WorkloadView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * {@code POST /api/v1/bulk/preview}: every workload a selector names (cut to the caller's grants), and for each
 * whether the action may run there and what it would change. Refusals are per item, with the reason: the caller lacks
 * OPERATOR there (or ADMIN for a privileged runtime), the engine lacks the capability, or the engine refuses the
 * change. Nothing changes; the engine is asked only its {@code check*} questions.
 */
@Component
class BulkPlanner {
    private final WorkloadSelection selection;
    private final Scopes scopes;
    private final EngineClients clients;
    private final EngineStore engines;
    private final PrivilegedRuntimes runtimes;
    private final SpecPreview specs;
    private final Revisions revisions;

    BulkPlanner(WorkloadSelection selection, Scopes scopes, EngineClients clients, EngineStore engines,
                PrivilegedRuntimes runtimes, SpecPreview specs, Revisions revisions) {
        this.selection = selection;
        this.scopes = scopes;
        this.clients = clients;
        this.engines = engines;
        this.runtimes = runtimes;
        this.specs = specs;
        this.revisions = revisions;
    }

    record BulkWorkload(UUID id, String name, String namespace, String engine) {
    }

    record BulkChange(List<Comparison.Field> fields) {
        static final BulkChange NONE = new BulkChange(List.of());
    }

    /** @param reason why it is refused, {@code null} when allowed */
    record BulkPlanItem(BulkWorkload workload, boolean allowed, String reason, BulkChange change) {
    }

    /** @param byEngine how many items each engine has, refused ones included */
    record BulkPlan(List<BulkPlanItem> items, int total, Map<String, Integer> byEngine) {
        int allowedCount() {
            return (int) items.stream().filter(BulkPlanItem::allowed).count();
        }
    }

    BulkPlan plan(BulkRequests.BulkPreviewRequest request) {
        BulkAction action = BulkAction.of(request.action());
        BulkParams params = BulkParams.of(action, request.params());
        Engine target = action == BulkAction.COPY ? engines.findByIdOrName(params.targetEngine()).orElseThrow(() ->
                BadRequestException.field("params.targetEngine", "no engine has the id or name '" + params.targetEngine() + "'"))
                : null;
        List<WorkloadView> workloads = new ArrayList<>(select(request.selector()));
        // grouped by engine, as the preview shows them and the batches take them
        workloads.sort(Comparator.comparing((WorkloadView w) -> w.engine().name()).thenComparing(WorkloadView::name)
                .thenComparing(w -> w.id().toString()));
        Scope scope = scopes.current();
        List<BulkPlanItem> items = new ArrayList<>();
        Map<String, Integer> byEngine = new LinkedHashMap<>();
        for (WorkloadView w : workloads) {
            items.add(item(scope, action, params, target, w));
            byEngine.merge(w.engine().name(), 1, Integer::sum);
        }
        return new BulkPlan(items, items.size(), byEngine);
    }

    List<WorkloadView> select(BulkRequests.BulkSelector s) {
        if (s.byIds()) {
            if (s.hasTerms()) {
                throw BadRequestException.field("selector.ids", "give either ids or filter terms, not both");
            }
            return selection.byIds(s.ids());
        }
        return selection.matching(s.engine(), s.engineKind(), s.namespace(), s.kind(), s.phase(), s.label(), s.q());
    }

    private BulkPlanItem item(Scope scope, BulkAction action, BulkParams params, Engine target, WorkloadView w) {
        BulkWorkload ref = new BulkWorkload(w.id(), w.name(), w.namespace(), w.engine().name());
        if (!scope.allows(Role.OPERATOR, w.engine().name(), w.namespace())) {
            return refused(ref, "your grants do not give OPERATOR in namespace '" + w.namespace() + "' of engine '"
                    + w.engine().name() + "'");
        }
        try {
            if (!clients.capabilities(w.engine().id()).contains(action.needs)) {
                return refused(ref, "engine '" + w.engine().name() + "' (" + w.engine().kind() + ") cannot "
                        + action.needs.name().toLowerCase(Locale.ROOT));
            }
            return switch (action) {
                case SCALE -> scale(ref, params, w);
                case RESTART, DELETE -> new BulkPlanItem(ref, true, null, BulkChange.NONE);
                case LABEL -> relabel(ref, params, w);
                case UPDATE -> specChange(ref, w, params.updated(w.spec()));
                case ROLLBACK -> rollback(ref, w);
                case COPY -> copy(ref, scope, w, target);
            };
        } catch (InvalidSpecException e) {
            return refused(ref, "engine '" + w.engine().name() + "' refuses it: " + e.getMessage());
        } catch (EngineException e) {
            return refused(ref, "engine '" + w.engine().name() + "' did not answer: " + e.getMessage());
        } catch (ProblemException e) {
            // a 403 for a privileged runtime, or a 404 for an engine removed meanwhile
            return refused(ref, e.getMessage());
        }
    }

    private BulkPlanItem scale(BulkWorkload ref, BulkParams params, WorkloadView w) {
        if (w.spec().replicas() == null) {
            return refused(ref, "a " + w.kind() + " has no replica count to scale");
        }
        clients.call(w.engine().id(), "check scale", c -> {
            c.checkScale(w.nativeId(), params.replicas());
            return null;
        });
        return new BulkPlanItem(ref, true, null, new BulkChange(specs.diff(w, params.scaled(w.spec())).fields()));
    }

    private BulkPlanItem relabel(BulkWorkload ref, BulkParams params, WorkloadView w) {
        Map<String, String> current = new TreeMap<>(w.labels());
        Map<String, String> proposed = params.relabeled(current);
        if (proposed.equals(current)) {
            return refused(ref, "its labels are that way already");
        }
        List<Object> values = List.of(current, proposed);
        return new BulkPlanItem(ref, true, null, new BulkChange(List.of(new Comparison.Field("labels", values, false,
                null, WorkloadComparator.differingKeys(values), null))));
    }

    private BulkPlanItem specChange(BulkWorkload ref, WorkloadView w, WorkloadSpec proposed) {
        runtimes.requireAllowed(engine(w), proposed);
        clients.call(w.engine().id(), "check update", c -> {
            c.checkUpdate(w.nativeId(), proposed);
            return null;
        });
        return new BulkPlanItem(ref, true, null, new BulkChange(specs.diff(w, proposed).fields()));
    }

    private BulkPlanItem rollback(BulkWorkload ref, WorkloadView w) {
        Optional<Revision> previous = revisions.previous(w.id());
        if (previous.isEmpty()) {
            return refused(ref, "it has no earlier revision to go back to");
        }
        return specChange(ref, w, previous.get().spec());
    }

    /** The revision a bulk rollback goes back to: the one before the newest; {@code null} when there is none. */
    Integer previousRevision(UUID workloadId) {
        return revisions.previous(workloadId).map(Revision::revision).orElse(null);
    }

    private BulkPlanItem copy(BulkWorkload ref, Scope scope, WorkloadView w, Engine target) {
        if (target.id().equals(w.engine().id())) {
            return refused(ref, "it is on engine '" + target.name() + "' already");
        }
        if (!scope.allows(Role.OPERATOR, target.name(), w.namespace())) {
            return refused(ref, "your grants do not give OPERATOR in namespace '" + w.namespace() + "' of engine '"
                    + target.name() + "'");
        }
        if (!clients.capabilities(target.id()).contains(BulkAction.COPY.needs)) {
            return refused(ref, "engine '" + target.name() + "' cannot deploy");
        }
        runtimes.requireAllowed(target, w.spec());
        return new BulkPlanItem(ref, true, null, new BulkChange(List.of(new Comparison.Field("engine",
                List.of(w.engine().name(), target.name()), false, null, null, null))));
    }

    private Engine engine(WorkloadView w) {
        return engines.find(w.engine().id()).orElseThrow(() -> new io.gantry.web.NotFoundException("engine", w.engine().id()));
    }

    private static BulkPlanItem refused(BulkWorkload ref, String reason) {
        return new BulkPlanItem(ref, false, reason, BulkChange.NONE);
    }
}
