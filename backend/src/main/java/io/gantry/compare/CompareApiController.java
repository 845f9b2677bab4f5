package io.gantry.compare;

import io.gantry.manifest.ManifestFormats;
import io.gantry.web.BadRequestException;
import io.gantry.web.NotFoundException;
import io.gantry.workload.EnvSecrets;
import io.gantry.workload.WorkloadStore;
import io.gantry.workload.WorkloadAccess;
import io.gantry.workload.WorkloadView;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/compare")
class CompareApiController {
    /** A comparison wider than this is no longer readable side by side. */
    private static final int MAX_IDS = 20;

    private final WorkloadStore store;
    private final ManifestFormats formats;
    private final EnvSecrets secrets;

    private final WorkloadAccess access;
    CompareApiController(WorkloadStore store, ManifestFormats formats, EnvSecrets secrets, WorkloadAccess access) {
        this.access = access;
        this.store = store;
        this.formats = formats;
        this.secrets = secrets;
    }

    /** {@code ids=a,b[,c...]} (or {@code ids} repeated), in the order the columns should show. */
    @GetMapping
    Comparison compare(@RequestParam List<String> ids) {
        Set<UUID> unique = new LinkedHashSet<>();
        for (String id : ids) {
            try {
                unique.add(UUID.fromString(id.trim()));
            } catch (IllegalArgumentException notUuid) {
                throw BadRequestException.field("ids", "'" + id + "' is not a workload id");
            }
        }
        if (unique.size() < 2) {
            throw BadRequestException.field("ids", "name at least 2 different workloads");
        }
        if (unique.size() > MAX_IDS) {
            throw BadRequestException.field("ids", "name at most " + MAX_IDS + " workloads");
        }
        List<WorkloadView> workloads = new ArrayList<>();
        for (UUID id : unique) {
            workloads.add(access.readable(id));
        }
        // compared with the real values (two different passwords are a difference), shown as the caller may see them
        Comparison comparison = WorkloadComparator.compare(workloads, w -> formats.forEngineKind(w.engine().kind())
                .map(f -> f.nativeNotation(w.spec())).orElse(Map.of()));
        EnvSecrets.Reading reading = secrets.reading();
        List<WorkloadView> shown = workloads.stream().map(reading::view).toList();
        reading.audit();
        return comparison.withEnvOf(shown);
    }
}
