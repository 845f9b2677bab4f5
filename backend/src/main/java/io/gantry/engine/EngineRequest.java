package io.gantry.engine;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Map;

/**
 * A registration as POSTed or PUT. {@code credentials} is write-only; on PUT, leaving it out keeps
 * the stored ones, unless the kind or the endpoint changes: then they must be given again.
 */
record EngineRequest(
        @NotBlank @Size(max = 63) @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]*",
                message = "letters, digits, '.', '_' and '-' only, starting with a letter or digit") String name,
        @NotBlank String kind,
        @NotBlank @Size(max = 2048) String endpoint,
        Map<String, String> labels,
        Map<String, String> credentials,
        Map<String, String> options) {

    @Override
    public String toString() {
        // credentials are deliberately left out: records print every component otherwise
        return "EngineRequest[name=" + name + ", kind=" + kind + ", endpoint=" + endpoint + "]";
    }
}
