package io.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.gantry.spi.ManifestFormat;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.SecretRef;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Manifests that reference Secrets and ConfigMaps (real ones, testdata/fixtures/kubernetes/manifests) import to
 * {@code spec.secrets} and export back to the same references.
 */
class KubernetesFormatSecretsTest {
    private final KubernetesFormat format = new KubernetesFormat();

    @Test
    void secretKeyRefEnvImportsAsEnvReferencesAndRendersBack() throws IOException {
        WorkloadDefinition mysql = roundTripped("manifests/website_wordpress_mysql-deployment.yaml");
        assertThat(mysql.spec().secrets()).containsExactly(
                SecretRef.env("mysql-pass", "password", "MYSQL_ROOT_PASSWORD"),
                SecretRef.env("mysql-pass", "password", "MYSQL_PASSWORD"));
        assertThat(mysql.spec().env()).containsOnlyKeys("MYSQL_DATABASE", "MYSQL_USER");
        assertThat(format.render(mysql).document()).contains("secretKeyRef").contains("mysql-pass");
    }

    @Test
    void configMapKeyRefAndAWholeConfigMapVolumeImport() throws IOException {
        assertThat(roundTripped("manifests/website_deployments_deployment-with-configmap-as-envvar.yaml").spec().secrets())
                .containsExactly(new SecretRef("fruits", ConfigKind.CONFIG, "fruits", "FRUITS", null, null));
        WorkloadDefinition volume = roundTripped("manifests/website_deployments_deployment-with-configmap-as-volume.yaml");
        assertThat(volume.spec().secrets())
                .containsExactly(SecretRef.file("sport", ConfigKind.CONFIG, null, "/etc/config", null));
        assertThat(format.render(volume).document()).contains("configMap:").contains("mountPath: /etc/config");
    }

    @Test
    void aSecretVolumeWithItemsImportsAsOneFilePerItemAndOptionalIsWarnedAbout() throws IOException {
        ManifestFormat.Parsed parsed = single("manifests/argo-cd_argocd-repo-server-deployment.yaml");
        List<SecretRef> refs = parsed.definition().spec().secrets();
        assertThat(refs).filteredOn(SecretRef::givesEnv).hasSize(12)
                .allMatch(r -> r.kind() == ConfigKind.CONFIG)
                .contains(new SecretRef("argocd-cmd-params-cm", ConfigKind.CONFIG, "redis.server", "REDIS_SERVER", null, null));
        assertThat(refs).filteredOn(r -> !r.givesEnv()).containsExactly(
                SecretRef.file("argocd-ssh-known-hosts-cm", ConfigKind.CONFIG, null, "/app/config/ssh", null),
                SecretRef.file("argocd-tls-certs-cm", ConfigKind.CONFIG, null, "/app/config/tls", null),
                SecretRef.file("argocd-gpg-keys-cm", ConfigKind.CONFIG, null, "/app/config/gpg/source", null),
                SecretRef.file("argocd-repo-server-tls", ConfigKind.SECRET, "tls.crt", "/app/config/reposerver/tls/tls.crt", null),
                SecretRef.file("argocd-repo-server-tls", ConfigKind.SECRET, "tls.key", "/app/config/reposerver/tls/tls.key", null),
                SecretRef.file("argocd-repo-server-tls", ConfigKind.SECRET, "ca.crt", "/app/config/reposerver/tls/ca.crt", null));
        assertThat(parsed.warnings()).anyMatch(w -> w.contains("optional"));
        String rendered = format.render(parsed.definition()).document();
        assertThat(rendered).contains("subPath: tls.crt").contains("secretName: argocd-repo-server-tls");
        assertThat(format.parse(rendered)).singleElement().satisfies(again ->
                assertThat(again.definition().spec().secrets()).containsExactlyInAnyOrderElementsOf(refs));
    }

    @Test
    void envFromExpandsWithTheKeysOfTheConfigMapInTheSameManifestAndIsWarnedAboutWithout() throws IOException {
        String configMap = Files.readString(Fixtures.file("manifests/website_inject_configmap-envFrom.yaml"));
        String deployment = deploymentOf(Fixtures.single("manifests/website_inject_pod-envFrom.yaml"));

        ManifestFormat.Parsed with = format.parse(configMap + "\n---\n" + deployment).get(0);
        assertThat(with.definition().spec().secrets()).containsExactly(
                new SecretRef("envfrom-configmap", ConfigKind.CONFIG, "DEMO_FAREWELL", "DEMO_FAREWELL", null, null),
                new SecretRef("envfrom-configmap", ConfigKind.CONFIG, "DEMO_GREETING", "DEMO_GREETING", null, null));
        assertThat(with.warnings()).noneMatch(w -> w.contains("envFrom ConfigMap"));
        assertThat(String.valueOf(with)).doesNotContain("Hello from the environment");

        ManifestFormat.Parsed without = format.parse(deployment).get(0);
        assertThat(without.definition().spec().secrets()).isEmpty();
        assertThat(without.warnings()).anyMatch(w -> w.contains("envFrom ConfigMap 'envfrom-configmap' is left out"));
    }

    /** The Pod example's spec as a Deployment's pod template (the website keeps envFrom examples as Pods only). */
    private static String deploymentOf(JsonObject pod) {
        JsonObject labels = pod.getAsJsonObject("metadata").getAsJsonObject("labels");
        JsonObject template = new JsonObject();
        JsonObject templateMeta = new JsonObject();
        templateMeta.add("labels", labels);
        template.add("metadata", templateMeta);
        template.add("spec", pod.getAsJsonObject("spec"));
        JsonObject selector = new JsonObject();
        selector.add("matchLabels", labels);
        JsonObject spec = new JsonObject();
        spec.add("selector", selector);
        spec.add("template", template);
        JsonObject meta = new JsonObject();
        meta.addProperty("name", pod.getAsJsonObject("metadata").get("name").getAsString());
        JsonObject deployment = new JsonObject();
        deployment.addProperty("apiVersion", "apps/v1");
        deployment.addProperty("kind", "Deployment");
        deployment.add("metadata", meta);
        deployment.add("spec", spec);
        return deployment.toString();
    }

    private ManifestFormat.Parsed single(String fixture) throws IOException {
        List<ManifestFormat.Parsed> parsed = format.parse(Files.readString(Fixtures.file(fixture)));
        assertThat(parsed).as(fixture).hasSize(1);
        return parsed.get(0);
    }

    /** The fixture's one workload, checked to come back the same from its own rendering. */
    private WorkloadDefinition roundTripped(String fixture) throws IOException {
        WorkloadDefinition definition = single(fixture).definition();
        assertThat(format.parse(format.render(definition).document())).singleElement()
                .satisfies(again -> assertThat(again.definition().spec().secrets())
                        .containsExactlyElementsOf(definition.spec().secrets()));
        return definition;
    }
}
