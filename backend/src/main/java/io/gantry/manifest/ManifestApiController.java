package io.gantry.manifest;

import io.gantry.spi.ManifestFormat;
import io.gantry.web.NotFoundException;
import io.gantry.workload.EnvSecrets;
import io.gantry.workload.WorkloadStore;
import io.gantry.workload.WorkloadAccess;
import io.gantry.workload.WorkloadView;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class ManifestApiController {
    /** One response header per warning: what the target format could not express. */
    static final String WARNING_HEADER = "Gantry-Warning";

    private final WorkloadStore store;
    private final ManifestFormats formats;
    private final EnvSecrets secrets;

    private final WorkloadAccess access;
    ManifestApiController(WorkloadStore store, ManifestFormats formats, EnvSecrets secrets, WorkloadAccess access) {
        this.access = access;
        this.store = store;
        this.formats = formats;
        this.secrets = secrets;
    }

    /**
     * The workload as another engine's native document. Warnings come as {@value #WARNING_HEADER}
     * headers and, in YAML, also as comments at the top, so that a saved file still says what it lost.
     */
    @GetMapping("/api/v1/workloads/{id}/manifest")
    ResponseEntity<String> manifest(@PathVariable UUID id, @RequestParam String format) {
        ManifestFormat target = formats.get(format, "format");
        EnvSecrets.Reading reading = secrets.reading();
        // rendered from what the caller may see, so that no format can carry a value past the mask
        WorkloadView w = reading.view(access.readable(id));
        reading.audit();
        ManifestFormat.Rendered rendered = target.render(w.definition());
        String body = rendered.document();
        boolean yaml = target.mediaType().contains("yaml");
        if (yaml && !rendered.warnings().isEmpty()) {
            StringBuilder comments = new StringBuilder();
            rendered.warnings().forEach(warning -> comments.append("# warning: ").append(warning).append('\n'));
            body = comments + body;
        }
        ResponseEntity.BodyBuilder response = ResponseEntity.ok().contentType(MediaType.parseMediaType(target.mediaType()));
        rendered.warnings().forEach(warning -> response.header(WARNING_HEADER, asciiOnly(warning)));
        return response.body(body);
    }

    /** HTTP header values are ASCII; a warning quoting a label value may not be. */
    private static String asciiOnly(String text) {
        return text.replaceAll("[^\\x20-\\x7E]", "?");
    }
}
