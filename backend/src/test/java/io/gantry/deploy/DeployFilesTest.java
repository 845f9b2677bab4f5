package io.gantry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The files that deploy Gantry itself as several replicas (deploy/, docker-compose.yml) read as what
 * they claim to be: the Kubernetes objects through the Kubernetes client's own model, the stack and
 * compose files as YAML.
 */
class DeployFilesTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @Test
    void kubernetesRunsThreeReplicasWithProbesOnTheHealthEndpointAndTheKeyFromASecret() throws IOException {
        List<HasMetadata> objects = new ArrayList<>();
        KubernetesSerialization serialization = new KubernetesSerialization();
        for (String document : Files.readString(REPO.resolve("deploy/kubernetes/gantry.yaml")).split("\n---\n")) {
            objects.add(serialization.unmarshal(document));
        }
        Secret secret = only(objects, Secret.class);
        assertThat(secret.getStringData()).containsKey("GANTRY_SECRET_KEY");
        Deployment deployment = only(objects, Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/api/v1/health");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(container.getEnvFrom().get(0).getSecretRef().getName()).isEqualTo(secret.getMetadata().getName());
        Service service = only(objects, Service.class);
        assertThat(service.getSpec().getSelector()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSwarmStackRunsThreeReplicasWithTheSharedKeyAsASecret() throws IOException {
        Map<String, Object> stack = yaml("deploy/swarm/gantry-stack.yml");
        Map<String, Object> gantry = (Map<String, Object>) ((Map<String, Object>) stack.get("services")).get("gantry");
        assertThat(((Map<String, Object>) gantry.get("deploy")).get("replicas")).isEqualTo(3);
        assertThat((List<String>) gantry.get("secrets")).contains("gantry_secret_key");
        assertThat(gantry.get("healthcheck").toString()).contains("/api/v1/health");
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeScalesTheServerBehindTheProxy() throws IOException {
        Map<String, Object> services = (Map<String, Object>) yaml("docker-compose.yml").get("services");
        Map<String, Object> gantry = (Map<String, Object>) services.get("gantry");
        Map<String, Object> proxy = (Map<String, Object>) services.get("proxy");
        // a published port would keep `--scale gantry=3` from starting a second replica
        assertThat(gantry).doesNotContainKey("ports");
        assertThat((List<String>) proxy.get("ports")).containsExactly("8080:8080");
        assertThat(Files.readString(REPO.resolve("deploy/proxy/nginx.conf"))).contains("proxy_pass http://$gantry")
                .contains("proxy_buffering off");
    }

    private static Map<String, Object> yaml(String file) throws IOException {
        return new Yaml().load(Files.readString(REPO.resolve(file)));
    }

    private static <T> T only(List<HasMetadata> objects, Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).hasSize(1);
        return found.get(0);
    }
}
