package io.gantry.revision;

import io.gantry.compare.WorkloadComparator;
import io.gantry.spi.WorkloadSpec;
import io.gantry.workload.EnvSecrets;
import io.gantry.workload.WorkloadView;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Revisions and diffs as the caller may see them: secret env values masked for VIEWERs, as every workload answer
 * masks them, and one audit entry per request that showed them to anyone else ({@link EnvSecrets}).
 */
@Component
class RevisionViews {
    private final EnvSecrets secrets;

    RevisionViews(EnvSecrets secrets) {
        this.secrets = secrets;
    }

    List<Revision> shown(WorkloadView workload, List<Revision> revisions) {
        EnvSecrets.Reading reading = secrets.reading();
        List<Revision> shown = revisions.stream()
                .map(r -> r.withSpec(reading.view(withSpec(workload, r.spec())).spec())).toList();
        reading.audit();
        return shown;
    }

    /** Compares the real specs; shows them as the caller may see them. */
    SpecDiff diff(WorkloadView workload, WorkloadSpec from, WorkloadSpec to) {
        List<WorkloadView> real = List.of(withSpec(workload, from), withSpec(workload, to));
        EnvSecrets.Reading reading = secrets.reading();
        List<WorkloadView> shown = real.stream().map(reading::view).toList();
        reading.audit();
        return SpecDiff.of(WorkloadComparator.compareSpecs(real, shown));
    }

    private static WorkloadView withSpec(WorkloadView w, WorkloadSpec spec) {
        return new WorkloadView(w.id(), w.engine(), w.nativeId(), w.namespace(), w.name(), w.kind(), w.labels(), spec,
                w.status(), w.instances(), w.createdAt(), w.syncedAt(), w.updatedAt(), w.stale());
    }
}
