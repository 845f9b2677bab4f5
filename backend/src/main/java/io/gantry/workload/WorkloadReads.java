package io.gantry.workload;

import io.gantry.web.NotFoundException;
import io.gantry.web.Page;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Workloads read for a caller, the same for the API and the dashboard: an unknown id is a 404, and
 * secret env values are shown or masked as {@link EnvSecrets} decides for the caller's role, with one
 * audit entry per request that showed any.
 */
@Component
class WorkloadReads {
    private final WorkloadStore store;
    private final WorkloadLister lister;
    private final EnvSecrets secrets;
    private final JsonMapper json;
    private final WorkloadAccess access;

    WorkloadReads(WorkloadStore store, WorkloadLister lister, EnvSecrets secrets, JsonMapper json, WorkloadAccess access) {
        this.access = access;
        this.store = store;
        this.lister = lister;
        this.secrets = secrets;
        this.json = json;
    }

    /** As stored, secret values and all: for asking its engine, never for showing; a 404 outside the caller's grants. */
    WorkloadView find(UUID id) {
        return access.readable(id);
    }

    /** As the caller may see it. */
    WorkloadView shown(UUID id) {
        EnvSecrets.Reading reading = secrets.reading();
        WorkloadView shown = reading.view(find(id));
        reading.audit();
        return shown;
    }

    /** A page of the API's list, each row as the caller may see it. */
    Page<StoredWorkload> shown(WorkloadQuery query) {
        Page<StoredWorkload> page = lister.listStored(query);
        EnvSecrets.Reading reading = secrets.reading();
        List<StoredWorkload> shown = page.items().stream().map(reading::stored).toList();
        reading.audit();
        return new Page<>(shown, page.total(), page.totalEstimated(), page.nextCursor());
    }

    /** Its env with secret values as {@code ***}, whoever looks: on screen they are only a glance away from a shoulder. */
    Map<String, String> maskedEnv(WorkloadView w) {
        return secrets.masked(w.engine().id(), w.spec().env());
    }

    /** The engine's own object as last synced, secret env values redacted; JSON null when there is none. */
    JsonNode nativeObject(UUID id) {
        WorkloadView w = find(id);
        String text = store.nativeObject(id).orElse(null);
        if (text == null || text.isBlank()) {
            return json.nullNode();
        }
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (RuntimeException notJson) {
            node = json.getNodeFactory().stringNode(text);
        }
        return SecretRedactor.redact(node, key -> secrets.isSecret(w.engine().id(), key));
    }
}
