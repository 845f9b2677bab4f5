package io.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonParser;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.SecretRef;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ManagedFieldsEntry;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SecretVolumeSource;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pieces of issue 21 that need no API server: what the cache keeps of a Secret, and refs in a pod template. */
class KubernetesSecretRefsTest {
    private static final String VALUE = "hunter2-value";

    @Test
    void theInformersKeepKeysOnlyWithoutTheAnnotationsThatCopyValues() {
        V1Secret secret = new V1Secret().apiVersion("v1").kind("Secret").type("Opaque")
                .metadata(new V1ObjectMeta().name("db").namespace("ns").resourceVersion("7")
                        .putAnnotationsItem("kubectl.kubernetes.io/last-applied-configuration",
                                "{\"data\":{\"password\":\"" + VALUE + "\"}}")
                        .addManagedFieldsItem(new V1ManagedFieldsEntry().time(OffsetDateTime.parse("2026-01-02T03:04:05Z"))))
                .data(Map.of("password", VALUE.getBytes(StandardCharsets.UTF_8)));
        var kept = KubernetesConfigObjects.keysOnly(secret);
        assertThat(KubernetesJson.gson().toJson(kept)).doesNotContain(VALUE).doesNotContain("aHVudGVy");
        var object = KubernetesConfigObjects.toConfigObject(kept);
        assertThat(object.keys()).containsExactly("password");
        assertThat(object.version()).isEqualTo("7");
        assertThat(object.updatedAt()).hasToString("2026-01-02T03:04:05Z");
        assertThat(KubernetesConfigObjects.hidden(new V1Secret().type("kubernetes.io/service-account-token"))).isTrue();
        assertThat(KubernetesConfigObjects.hidden(new V1Secret().type("helm.sh/release.v1"))).isTrue();
        assertThat(KubernetesConfigObjects.hidden(new V1Secret().type("Opaque"))).isFalse();
    }

    @Test
    void aRotationPatchRemovesKeysThatAreGoneAndNeverNamesAValueInItsErrors() {
        var patch = JsonParser.parseString(KubernetesConfigObjects.dataPatch(ConfigKind.SECRET, List.of("old", "password"),
                Map.of("password", VALUE), "12")).getAsJsonObject();
        assertThat(patch.getAsJsonObject("data").get("old").isJsonNull()).isTrue();
        assertThat(patch.getAsJsonObject("data").get("password").getAsString()).isEqualTo("aHVudGVyMi12YWx1ZQ==");
        assertThat(patch.getAsJsonObject("metadata").get("resourceVersion").getAsString()).isEqualTo("12");
        assertThatThrownBy(() -> KubernetesConfigObjects.dataPatch(ConfigKind.CONFIG, List.of(), Map.of("a b", VALUE), "1"))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.errors()).extracting(InvalidSpecException.FieldError::field).containsExactly("data.a b");
                    assertThat(e.toString() + e.errors()).doesNotContain(VALUE);
                });
    }

    @Test
    void volumeNamesAreStableLabelsEvenForDottedOrLongSources() {
        assertThat(KubernetesSecretRefs.volumeName(ConfigKind.SECRET, "db", true)).isEqualTo("secret-db-files");
        assertThat(KubernetesSecretRefs.volumeName(ConfigKind.CONFIG, "app", false)).isEqualTo("config-app");
        String dotted = KubernetesSecretRefs.volumeName(ConfigKind.SECRET, "tls.example.com", false);
        assertThat(dotted).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?").startsWith("secret-tls-example-com-")
                .isEqualTo(KubernetesSecretRefs.volumeName(ConfigKind.SECRET, "tls.example.com", false))
                .isNotEqualTo(KubernetesSecretRefs.volumeName(ConfigKind.SECRET, "tls-example-com", false));
        assertThat(KubernetesSecretRefs.volumeName(ConfigKind.CONFIG, "x".repeat(200), true)).hasSizeLessThanOrEqualTo(63);
    }

    @Test
    void rewritingRefsKeepsWhatASidecarMountsAndOtherVolumes() {
        V1Container main = new V1Container().name("main").image("nginx")
                .addVolumeMountsItem(new V1VolumeMount().name("shared").mountPath("/shared"))
                .addVolumeMountsItem(new V1VolumeMount().name("old").mountPath("/old"));
        V1Container sidecar = new V1Container().name("proxy").image("envoy")
                .addVolumeMountsItem(new V1VolumeMount().name("shared").mountPath("/certs"));
        V1PodSpec pod = new V1PodSpec().containers(new ArrayList<>(List.of(main, sidecar)))
                .addVolumesItem(new V1Volume().name("shared").secret(new V1SecretVolumeSource().secretName("certs")))
                .addVolumesItem(new V1Volume().name("old").secret(new V1SecretVolumeSource().secretName("gone")))
                .addVolumesItem(new V1Volume().name("scratch"));
        KubernetesSecretRefs.write(pod, main, List.of(SecretRef.file("db", ConfigKind.SECRET, "password", "/etc/pw", 0400)));
        assertThat(pod.getVolumes()).extracting(V1Volume::getName).containsExactly("shared", "scratch", "secret-db-files");
        assertThat(main.getVolumeMounts()).extracting(V1VolumeMount::getMountPath).containsExactly("/etc/pw");
        assertThat(KubernetesSecretRefs.read(pod, main, "ns", ConfigKeys.UNKNOWN))
                .containsExactly(SecretRef.file("db", ConfigKind.SECRET, "password", "/etc/pw", 0400));
        assertThat(KubernetesSecretRefs.use(pod, new ConfigRef("ns", ConfigKind.SECRET, "db")))
                .as("a subPath file is not updated by the kubelet").isEqualTo(KubernetesSecretRefs.Use.AT_START);
        assertThat(KubernetesSecretRefs.use(pod, new ConfigRef("ns", ConfigKind.SECRET, "certs")))
                .isEqualTo(KubernetesSecretRefs.Use.LIVE);
        assertThat(KubernetesSecretRefs.use(pod, new ConfigRef("ns", ConfigKind.CONFIG, "db")))
                .isEqualTo(KubernetesSecretRefs.Use.NONE);
    }

    @Test
    void badRefsAreRefusedNamingTheField() {
        V1Container main = new V1Container().name("m").image("i").addEnvItem(new io.kubernetes.client.openapi.models.V1EnvVar()
                .name("TAKEN").value("x"));
        assertThatThrownBy(() -> KubernetesSecretRefs.write(new V1PodSpec(), main, List.of(
                SecretRef.env("db", "password", "TAKEN"),
                new SecretRef("db", ConfigKind.SECRET, null, "NO_KEY", null, null),
                new SecretRef("Bad_Name", ConfigKind.SECRET, "k", null, "/f", 01000),
                new SecretRef("db", ConfigKind.SECRET, "k", null, null, null))))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors())
                        .extracting(InvalidSpecException.FieldError::field).containsExactly(
                                "spec.secrets[0].env", "spec.secrets[1].key", "spec.secrets[2].source",
                                "spec.secrets[2].mode", "spec.secrets[3].env"));
    }
}
