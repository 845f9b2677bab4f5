package io.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.HealthCheck;
import io.gantry.spi.HostileDocuments;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.InvalidSpecException.FieldError;
import io.gantry.spi.ManifestFormat;
import io.gantry.spi.ManifestLimits;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Resources;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class KubernetesFormatTest {
    private final KubernetesFormat format = new KubernetesFormat();

    /**
     * Every fixture (testdata/fixtures/kubernetes): a workload document goes native -> model -> native -> model without losing a
     * mapped field; any other document (Pods, Events, Status errors) is refused with field errors.
     */
    @Test
    void everyFixtureRoundTripsOrIsRefusedCleanly() throws IOException {
        int workloads = 0;
        List<String> refused = new ArrayList<>();
        for (Path fixture : Fixtures.all()) {
            String text = Files.readString(fixture);
            List<ManifestFormat.Parsed> parsed;
            try {
                parsed = format.parse(text);
            } catch (InvalidSpecException e) {
                assertThat(e.errors()).as(fixture.toString()).isNotEmpty();
                refused.add(fixture.getFileName().toString());
                continue;
            }
            for (ManifestFormat.Parsed p : parsed) {
                WorkloadDefinition original = p.definition();
                ManifestFormat.Rendered rendered = format.render(original);
                List<ManifestFormat.Parsed> again = format.parse(rendered.document());
                assertThat(again).as(fixture + "\n" + rendered.document()).hasSize(1);
                assertThat(again.get(0).definition()).as(fixture + "\n" + rendered.document())
                        .isEqualTo(withoutGantryLabels(original));
                workloads++;
            }
        }
        assertThat(workloads).as("workloads among the fixtures").isGreaterThanOrEqualTo(12);
        // gitops-engine's OnDelete StatefulSet repeats spec.updateStrategy: a manifest that must be refused
        refused.remove("gitops-engine_statefulset-ondelete.yaml");
        assertThat(refused).as("fixtures that hold no workload").allMatch(name -> name.contains("Pod")
                || name.contains("pod-") || name.contains("Status") || name.contains("Event") || name.contains("svc")
                || name.contains("Service") || name.contains("Scale") || name.contains("ControllerRevision")
                || name.contains("configmap"));
    }

    @Test
    void multiDocumentManifestWithServiceAndSkippedKinds() {
        String yaml = """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec:
                  type: NodePort
                  selector: {app: web}
                  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: shop, labels: {app: web}}
                spec:
                  replicas: 3
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      nodeSelector: {zone: a}
                      containers:
                        - name: web
                          image: nginx:1.27
                          command: [nginx]
                          args: ["-g", "daemon off;"]
                          env: [{name: MODE, value: prod}]
                          ports: [{containerPort: 8080}]
                          resources: {limits: {cpu: 500m, memory: 256Mi}}
                          readinessProbe: {httpGet: {path: /health, port: 8080}, periodSeconds: 10}
                        - name: log-shipper
                          image: fluentbit:3
                """;
        List<ManifestFormat.Parsed> parsed = format.parse(yaml);

        assertThat(parsed).hasSize(1);
        WorkloadDefinition web = parsed.get(0).definition();
        assertThat(web.namespace()).isEqualTo("shop");
        assertThat(web.kind()).isEqualTo(WorkloadKind.SERVICE);
        assertThat(web.spec().ports()).containsExactly(new PortMapping(8080, 30080, "tcp"));
        assertThat(web.spec().resources()).isEqualTo(new Resources(500L, 268435456L));
        assertThat(web.spec().constraints()).containsExactly("node.labels.zone==a");
        assertThat(web.spec().healthCheck()).isEqualTo(new HealthCheck(HealthCheck.Type.HTTP, "/health", 8080, null, 10, null));
        assertThat(parsed.get(0).warnings()).anyMatch(w -> w.contains("ConfigMap settings"))
                .anyMatch(w -> w.contains("log-shipper"));
    }

    @Test
    void rendersEveryKindAndWarnsAboutWhatKubernetesCannotExpress() {
        WorkloadSpec spec = new WorkloadSpec("busybox:1", List.of("sleep"), List.of("60"), Map.of("A", "1"),
                List.of(new PortMapping(80, 8080, "tcp")), new Resources(250L, 64L << 20), 2, null,
                List.of("node.labels.disk==ssd", "hostname:UNIQUE"), "raw");
        ManifestFormat.Rendered r = format.render(new WorkloadDefinition("", "tool", WorkloadKind.SERVICE, Map.of(), spec));
        assertThat(r.document()).contains("kind: Deployment", "kind: Service", "namespace: default", "cpu: 250m",
                "memory: 64Mi", "disk: ssd");
        assertThat(r.warnings()).anyMatch(w -> w.contains("hostname:UNIQUE")).anyMatch(w -> w.contains("runtime"));
        assertThat(format.engineKind()).isEqualTo("kubernetes");
        assertThat(format.nativeNotation(spec)).containsExactly(Map.entry("spec.resources.cpuMillis", "limits.cpu: 250m"),
                Map.entry("spec.resources.memoryBytes", "limits.memory: 64Mi"));

        for (WorkloadKind kind : WorkloadKind.values()) {
            ManifestFormat.Rendered rendered = format.render(new WorkloadDefinition("ops", "tool", kind, Map.of("a", "b"),
                    spec.withReplicas(kind == WorkloadKind.DAEMON ? null : 2)));
            WorkloadDefinition back = format.parse(rendered.document()).get(0).definition();
            assertThat(back.kind()).as(rendered.document()).isEqualTo(kind);
            assertThat(back.spec().image()).isEqualTo("busybox:1");
            assertThat(back.spec().replicas()).isEqualTo(kind == WorkloadKind.DAEMON ? null : 2);
        }
    }

    @Test
    void hostileAndMalformedDocumentsAreFieldErrors() {
        StringBuilder bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            bomb.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                bomb.append(i == 0 ? "" : ",").append('*').append((char) (c - 1));
            }
            bomb.append("]\n");
        }
        assertThatThrownBy(() -> format.parse(bomb.toString())).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("aliases");
        assertThatThrownBy(() -> format.parse("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"
                + "spec: {replicas: three}\n")).isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(((InvalidSpecException) e).errors().get(0).field()).isEqualTo("spec.replicas"));
        assertThatThrownBy(() -> format.parse("- just\n- a list\n")).isInstanceOf(InvalidSpecException.class);
        assertThatThrownBy(() -> format.parse("{\"kind\": ")).isInstanceOf(InvalidSpecException.class);
        assertThatThrownBy(() -> format.parse("[".repeat(10_000))).isInstanceOf(InvalidSpecException.class);
    }

    @Test
    void theTwentyThreeAnchorBombIsRefusedByTheParseBudgetWithoutExpanding() {
        for (String document : List.of(HostileDocuments.aliasBomb(), "apiVersion: v1\nkind: List\nitems:\n- "
                + HostileDocuments.aliasBomb().replace("\n", "\n  "), HostileDocuments.wideJson(150_000))) {
            HostileDocuments.Refusal r = HostileDocuments.refusal(() -> format.parse(document));
            assertThat(r.thrown()).isInstanceOf(InvalidSpecException.class)
                    .hasMessageContaining("more than " + ManifestLimits.MAX_NODES + " nodes").hasMessageContaining("parse budget");
            assertThat(((InvalidSpecException) r.thrown()).errors()).extracting(FieldError::field).containsExactly("manifest");
            r.assertNotExpanded();
        }
    }

    @Test
    void missingTypeMetaAndWrongTypesNameTheirField() {
        String deployment = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec: {template: {spec: {containers: [{name: web, image: busybox}]}}}
                """;
        assertThat(format.parse(deployment)).hasSize(1);
        assertErrors("""
                metadata: {name: no-type-meta}
                spec: {replicas: 1}
                """, "apiVersion", "kind");
        assertErrors(deployment + "---\nmetadata: {name: b}\n---\napiVersion: v1\nkind: [Deployment]\n---\nkind: Service\n",
                "documents[1].apiVersion", "documents[1].kind", "documents[2].kind", "documents[3].apiVersion");
        assertErrors("{\"apiVersion\": \"v1\", \"items\": []}", "kind");
        assertErrors("[{\"kind\": \"Deployment\", \"metadata\": {\"name\": \"x\"}}, {\"apiVersion\": \"v1\"}]",
                "documents[0].apiVersion", "documents[1].kind");
        assertErrors(deployment.replace("containers: [{name: web, image: busybox}]", "containers: busybox"),
                "spec.template.spec.containers");
        assertErrors(deployment.replace("spec: {template", "spec: {replicas: 12345678901, template"), "spec.replicas");
        assertErrors(deployment.replace("spec: {template", "spec: {replicas: -1, template"), "spec.replicas");
        assertErrors(deployment.replace("metadata: {name: web}", "metadata: [web]"), "metadata");
        assertErrors(deployment.replace("kind: Deployment", "kind: Job").replace("apps/v1", "batch/v1")
                .replace("spec: {template", "spec: {parallelism: -3, template"), "spec.parallelism");
        assertErrors(deployment.replace("image: busybox}", "image: busybox, ports: [{protocol: TCP}]}"),
                "spec.template.spec.containers[0].ports[0].containerPort");
        assertErrors(deployment.replace("{name: web, image: busybox}", "{image: busybox}"), "spec.template.spec.containers[0].name");
        assertErrors(deployment.replace("{template: {spec:", "{template: {metadata: {labels: 5}, spec:"),
                "spec.template.metadata.labels");
        assertErrors(deployment.replace("{template: {spec: {", "{template: {spec: {nodeSelector: {zone: [a]}, "),
                "spec.template.spec.nodeSelector");
        assertErrors("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {}\n", "spec.schedule", "spec.jobTemplate");
        assertThat(format.parse("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bare}\n")).hasSize(1);
    }

    private void assertErrors(String document, String... fields) {
        assertThatThrownBy(() -> format.parse(document)).isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(((InvalidSpecException) e).errors()).as(e.getMessage())
                        .extracting(FieldError::field).containsExactly(fields));
    }

    @Test
    void foundByServiceLoader() {
        List<String> names = new ArrayList<>();
        ServiceLoader.load(ManifestFormat.class).forEach(f -> names.add(f.name()));
        assertThat(names).contains("kubernetes");
    }

    private static WorkloadDefinition withoutGantryLabels(WorkloadDefinition d) {
        Map<String, String> labels = new LinkedHashMap<>(d.labels());
        // a CronJob's schedule is rendered back as its schedule; Gantry's other readings are not
        labels.keySet().removeIf(k -> k.startsWith("gantry.io/") && !k.equals(KubernetesWorkloadMapper.SCHEDULE_LABEL));
        return new WorkloadDefinition(d.namespace(), d.name(), d.kind(), labels, d.spec());
    }
}
