package io.gantry.config;

import io.gantry.operation.Operation;
import io.gantry.spi.config.ConfigKind;
import io.gantry.web.BadRequestException;
import java.net.URI;
import java.util.Locale;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Secrets and configs (API.md "Configs and secrets"): metadata for readers, values only in, never out for secrets. */
@RestController
@RequestMapping("/api/v1/configs")
class ConfigApiController {
    private final ConfigCatalog catalog;
    private final ConfigChanges changes;

    ConfigApiController(ConfigCatalog catalog, ConfigChanges changes) {
        this.catalog = catalog;
        this.changes = changes;
    }

    @GetMapping
    ConfigList list(@RequestParam(required = false) String engine,
                                       @RequestParam(required = false) String namespace,
                                       @RequestParam(required = false) String kind) {
        return new ConfigList(catalog.list(blankToNull(engine), namespace, kind(kind)));
    }

    @GetMapping("/{id}")
    ConfigView get(@PathVariable UUID id) {
        return changes.read(id);
    }

    @PostMapping
    ResponseEntity<ConfigView> create(@RequestBody ConfigRequests.CreateConfig body) {
        ConfigView created = changes.create(body);
        return ResponseEntity.created(URI.create("/api/v1/configs/" + created.id())).body(created);
    }

    @PutMapping("/{id}/data")
    ResponseEntity<Operation> rotate(@PathVariable UUID id, @RequestBody ConfigRequests.RotateConfig body,
                                     @RequestHeader(name = "Idempotency-Key", required = false) String key) {
        Operation operation = changes.rotate(id, body, key);
        return ResponseEntity.accepted().location(URI.create("/api/v1/operations/" + operation.id())).body(operation);
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable UUID id) {
        changes.delete(id);
        return ResponseEntity.noContent().build();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static ConfigKind kind(String kind) {
        if (kind == null || kind.isBlank()) {
            return null;
        }
        try {
            return ConfigKind.valueOf(kind.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw BadRequestException.field("kind", "must be SECRET or CONFIG");
        }
    }
}
