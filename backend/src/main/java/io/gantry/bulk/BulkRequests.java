package io.gantry.bulk;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Bodies of the bulk routes (API.md "Bulk and search"). */
final class BulkRequests {
    private BulkRequests() {
    }

    /**
     * The workloads to act on: the terms of the workload list's filter, or {@code ids} (then the terms must be absent).
     *
     * @param label {@code k=v} terms, all of which must match
     */
    record BulkSelector(String engine, String engineKind, String namespace, String kind, String phase, List<String> label, String q,
                    List<UUID> ids) {
        boolean byIds() {
            return ids != null;
        }

        boolean hasTerms() {
            return engine != null || engineKind != null || namespace != null || kind != null || phase != null
                    || (label != null && !label.isEmpty()) || q != null;
        }
    }

    /** @param params what the action needs, e.g. {@code {replicas: 2}} for a scale; see {@link BulkAction} */
    record BulkPreviewRequest(@NotNull @Valid BulkSelector selector, @NotBlank String action, Map<String, Object> params) {
    }

    /**
     * @param batchSize     how many items start together; all at once when absent
     * @param pauseSeconds  the pause after a batch's workloads are RUNNING again, before the next batch starts
     * @param stopOnFailure stop at the first failed item; the items not started are SKIPPED
     * @param expectTotal   the number of workloads the preview showed: the run is refused (409) when the selector
     *                      matches another number now
     */
    record BulkRunRequest(@NotNull @Valid BulkSelector selector, @NotBlank String action, Map<String, Object> params,
               @Min(1) @Max(1000) Integer batchSize, @Min(0) @Max(3600) Integer pauseSeconds, Boolean stopOnFailure,
               @Min(0) Integer expectTotal) {
        BulkPreviewRequest preview() {
            return new BulkPreviewRequest(selector, action, params);
        }
    }
}
