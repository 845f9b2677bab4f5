package io.gantry.manifest;

import io.gantry.web.UiController;
import java.util.List;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * Gives the dashboard's templates the manifest formats the server has ({@code formats}), so that the
 * import form and the export links offer what the adapters provide rather than a list written into a page.
 * An advice rather than a controller's attribute: the workload pages cannot depend on this package, which
 * depends on them.
 */
@ControllerAdvice(annotations = UiController.class)
class ManifestFormatsAdvice {
    private final ManifestFormats formats;

    ManifestFormatsAdvice(ManifestFormats formats) {
        this.formats = formats;
    }

    @ModelAttribute("formats")
    List<ManifestFormats.Choice> formats() {
        return formats.choices();
    }
}
