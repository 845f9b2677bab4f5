package io.gantry.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.SecretRef;
import io.gantry.spi.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class SwarmSecretRefsTest {
    private static final SwarmConfigIndex INDEX = new SwarmConfigIndex(List.of(
            new SwarmConfigIndex.Part("s1", "db-pass", ConfigKind.SECRET, "", "db-pass", "password", 1, null),
            new SwarmConfigIndex.Part("s3", "db-pass-v3", ConfigKind.SECRET, "", "db-pass", "password", 3, null),
            new SwarmConfigIndex.Part("c1", "shop_app.a.conf", ConfigKind.CONFIG, "shop", "app", "a.conf", 1, null),
            new SwarmConfigIndex.Part("c2", "shop_app.b.conf", ConfigKind.CONFIG, "shop", "app", "b.conf", 1, null)));

    @Test
    void fileAndDirectoryReferencesPointAtTheCurrentVersionAndReadBackAsAsked() {
        SecretRef file = SecretRef.file("db-pass", ConfigKind.SECRET, "password", "/run/secrets/db", null);
        SecretRef directory = SecretRef.file("app", ConfigKind.CONFIG, null, "/etc/app", 0400);
        ObjectNode container = Json.MAPPER.createObjectNode();

        SwarmSecretRefs.write(container, List.of(file), "", INDEX);
        assertThat(container.path("Secrets")).hasSize(1);
        assertThat(container.path("Secrets").get(0).path("SecretID").asString()).isEqualTo("s3");
        assertThat(container.path("Secrets").get(0).path("SecretName").asString()).isEqualTo("db-pass-v3");
        assertThat(container.path("Secrets").get(0).path("File").path("Mode").asInt()).isEqualTo(0444);
        assertThat(container.path("Secrets").get(0).path("File").path("UID").asString()).isEqualTo("0");
        assertThat(SwarmSecretRefs.read(container, INDEX)).containsExactly(file);

        ObjectNode stacked = Json.MAPPER.createObjectNode();
        SwarmSecretRefs.write(stacked, List.of(directory), "shop", INDEX);
        assertThat(stacked.path("Configs")).extracting(e -> e.path("File").path("Name").asString())
                .containsExactly("/etc/app/a.conf", "/etc/app/b.conf");
        assertThat(SwarmSecretRefs.read(stacked, INDEX)).containsExactly(directory);

        SwarmSecretRefs.write(stacked, List.of(), "shop", INDEX);
        assertThat(stacked.has("Configs")).as("the model says which references the service has").isFalse();
    }

    @Test
    void unknownObjectsAndKeysAreRefusedNamingTheField() {
        ObjectNode container = Json.MAPPER.createObjectNode();
        assertThatThrownBy(() -> SwarmSecretRefs.write(container, List.of(
                SecretRef.file("app", ConfigKind.CONFIG, null, "/etc/app", null),
                SecretRef.file("db-pass", ConfigKind.SECRET, "user", "/run/secrets/u", null)), "", INDEX))
                .isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(((InvalidSpecException) e).errors()).extracting(InvalidSpecException.FieldError::field)
                        .containsExactly("spec.secrets[0].source", "spec.secrets[1].key"));
    }

    @Test
    void anObjectNotInTheIndexReadsAsItsSwarmNameWithTheOneKey() {
        ObjectNode container = (ObjectNode) Json.parse("""
                {"Secrets": [{"File": {"Name": "token", "UID": "0", "GID": "0", "Mode": 256},
                              "SecretID": "gone", "SecretName": "api-token"}]}""");
        assertThat(SwarmSecretRefs.read(container, INDEX))
                .containsExactly(SecretRef.file("api-token", ConfigKind.SECRET, "value", "token", 0400));
    }
}
