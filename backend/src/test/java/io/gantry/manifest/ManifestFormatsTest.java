package io.gantry.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.web.BadRequestException;
import org.junit.jupiter.api.Test;

class ManifestFormatsTest {
    private final ManifestFormats formats = new ManifestFormats();

    @Test
    void everyFormatOnTheClasspathIsOfferedWithALabelFromItsNameAndMediaType() {
        assertThat(formats.choices()).containsExactly(
                new ManifestFormats.Choice("agent", "Agent JSON"),
                new ManifestFormats.Choice("compose", "Compose YAML"),
                new ManifestFormats.Choice("kubernetes", "Kubernetes YAML"),
                new ManifestFormats.Choice("marathon", "Marathon JSON"));
    }

    @Test
    void anUnknownNameIsRefusedNamingTheFieldAndTheFormats() {
        assertThatThrownBy(() -> formats.get("helm", "format")).isInstanceOf(BadRequestException.class)
                .hasMessage("format: must be one of agent, compose, kubernetes, marathon");
    }
}
