package io.gantry.operation;

import io.gantry.engine.Engine;
import io.gantry.engine.EngineClients;
import io.gantry.engine.EngineStore;
import io.gantry.engine.PrivilegedRuntimes;
import io.gantry.workload.WorkloadAccess;
import io.gantry.manifest.ManifestFormats;
import io.gantry.spi.Capability;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.ManifestFormat;
import io.gantry.web.BadRequestException;
import io.gantry.web.FieldProblem;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Imports a native document onto any engine: the whole document is parsed (and refused with every
 * field error) before anything is deployed; then one operation per workload, with what the model
 * could not keep in its message.
 */
@RestController
class WorkloadImportApiController {
    private final OperationService operations;
    private final EngineStore engines;
    private final ManifestFormats formats;
    private final EngineClients clients;
    private final PrivilegedRuntimes runtimes;
    private final WorkloadAccess access;
    private final SpecReferences references;

    WorkloadImportApiController(OperationService operations, EngineStore engines, ManifestFormats formats,
                                EngineClients clients, PrivilegedRuntimes runtimes, WorkloadAccess access,
                                SpecReferences references) {
        this.references = references;
        this.access = access;
        this.operations = operations;
        this.engines = engines;
        this.formats = formats;
        this.clients = clients;
        this.runtimes = runtimes;
    }

    /** The operations an import started, in document order. */
    record Imported(List<Operation> operations) {
    }

    @PostMapping("/api/v1/workloads/import")
    ResponseEntity<Imported> importManifest(@Valid @RequestBody WorkloadRequests.Import body,
                                            @RequestHeader(name = WorkloadActionApiController.IDEMPOTENCY_KEY,
                                                    required = false) String key) {
        Engine engine = engines.findByIdOrName(body.engine())
                .orElseThrow(() -> BadRequestException.field("engine", "no engine has the id or name '" + body.engine() + "'"));
        ManifestFormat format = formats.get(body.format(), "format");
        List<ManifestFormat.Parsed> parsed;
        try {
            parsed = format.parse(body.text());
        } catch (InvalidSpecException e) {
            throw new BadRequestException(e.errors().stream().map(f -> new FieldProblem(
                    f.field().startsWith("manifest") ? f.field() : "manifest." + f.field(), f.message())).toList());
        }
        operations.requireCapability(engine, Capability.DEPLOY);
        // every workload is checked with the engine before the first is deployed: a bad one deploys none
        for (ManifestFormat.Parsed p : parsed) {
            access.requireOperator(engine.name(), p.definition().namespace());
            runtimes.requireAllowed(engine, p.definition().spec());
            WorkloadRequests.checkSpec(p.definition().spec());
            references.requireExisting(engine, p.definition().namespace(), p.definition().spec());
            clients.call(engine.id(), "check import", client -> {
                client.checkDeploy(p.definition());
                return null;
            });
        }
        List<Operation> started = new ArrayList<>();
        for (int i = 0; i < parsed.size(); i++) {
            ManifestFormat.Parsed p = parsed.get(i);
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("engine", engine.id());
            request.put("format", format.name());
            request.put("namespace", p.definition().namespace());
            request.put("name", p.definition().name());
            request.put("kind", p.definition().kind());
            request.put("image", p.definition().spec().image());
            String itemKey = key == null || key.isBlank() ? null : key + "#" + i;
            started.add(operations.submitChecked("import", engine, Capability.DEPLOY, itemKey, request, p.warnings(),
                    new EngineWork.Deploy(p.definition())));
        }
        return ResponseEntity.accepted().location(URI.create("/api/v1/operations/" + started.get(0).id()))
                .body(new Imported(started));
    }
}
