package io.gantry.kubernetes;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import io.gantry.spi.InvalidSpecException.FieldError;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.ManifestFormat;
import io.gantry.spi.ManifestLimits;
import io.gantry.spi.ManifestReader;
import io.gantry.spi.Quantities;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1CronJobSpec;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobSpec;
import io.kubernetes.client.openapi.models.V1JobTemplateSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Kubernetes YAML: a Deployment, StatefulSet, DaemonSet or Job, plus the Service that publishes its
 * ports, written and read through {@link KubernetesWorkloadMapper} (the mapping the adapter deploys
 * and lists with). Parsing takes multi-document YAML or JSON, including {@code kind: List}; objects
 * that are not workloads are skipped with a warning, and a Service is joined to the workload whose pod
 * labels its selector matches.
 */
public final class KubernetesFormat implements ManifestFormat {
    private static final Description DESCRIPTION = new Description("kubernetes", "application/yaml", "kubernetes");
    private static final Map<String, Class<? extends KubernetesObject>> WORKLOAD_KINDS = Map.of(
            "Deployment", V1Deployment.class, "StatefulSet", V1StatefulSet.class, "DaemonSet", V1DaemonSet.class,
            "ReplicaSet", V1ReplicaSet.class, "Job", V1Job.class, "CronJob", V1CronJob.class);

    @Override
    public Description description() {
        return DESCRIPTION;
    }

    @Override
    public Map<String, String> nativeNotation(WorkloadSpec spec) {
        return ManifestFormat.resourceNotation(spec, cpu -> "limits.cpu: " + Quantities.formatCpu(cpu),
                memory -> "limits.memory: " + Quantities.formatMemory(memory));
    }

    @Override
    public Rendered render(WorkloadDefinition workload) {
        List<String> warnings = new ArrayList<>();
        WorkloadSpec spec = workload.spec();
        List<String> constraints = new ArrayList<>();
        for (String c : spec.constraints()) {
            try {
                KubernetesWorkloadWriter.nodeSelector(List.of(c));
                constraints.add(c);
            } catch (InvalidSpecException notANodeLabel) {
                warnings.add("constraint '" + c + "' is left out: a nodeSelector holds only node.labels.KEY==VALUE");
            }
        }
        if (spec.runtime() != null) {
            warnings.add("runtime '" + spec.runtime() + "' is an agent setting; Kubernetes runs containers");
        }
        String schedule = workload.kind() == WorkloadKind.JOB ? workload.labels().get(KubernetesWorkloadMapper.SCHEDULE_LABEL) : null;
        workload.labels().keySet().stream().filter(k -> k.startsWith("gantry.io/"))
                .filter(k -> schedule == null || !k.equals(KubernetesWorkloadMapper.SCHEDULE_LABEL)).forEach(k ->
                warnings.add("label " + k + " is Gantry's reading of the source, not rendered"));
        WorkloadSpec written = new WorkloadSpec(spec.image(), spec.command(), spec.args(), spec.env(), spec.ports(),
                spec.resources(), spec.replicas(), spec.healthCheck(), constraints, null, spec.secrets());
        String namespace = workload.namespace().isEmpty() ? "default" : workload.namespace();
        boolean job = workload.kind() == WorkloadKind.JOB;
        WorkloadDefinition asDeployable = new WorkloadDefinition(namespace, workload.name(),
                job ? WorkloadKind.SERVICE : workload.kind(), workload.labels(), written);
        NativeKind kind = NativeKind.forDeploy(asDeployable.kind());
        KubernetesObject object = KubernetesWorkloadWriter.toObject(asDeployable, namespace, kind);
        if (schedule != null) {
            object = cronJob((V1Deployment) object, spec.replicas(), schedule);
            kind = NativeKind.CronJob;
        } else if (job) {
            object = job((V1Deployment) object, spec.replicas());
            kind = NativeKind.Job;
        }
        List<Object> documents = new ArrayList<>();
        documents.add(plain(object));
        WorkloadRef ref = new WorkloadRef(namespace, kind, workload.name());
        V1Service service = job ? null : KubernetesWorkloadWriter.toService(ref, written, workload.labels());
        if (service != null) {
            documents.add(plain(service));
        }
        if (job && written.ports().stream().anyMatch(p -> p.publishedPort() != null)) {
            warnings.add("published ports of a Job are not rendered as a Service");
        }
        return new Rendered(dumpAll(documents), warnings);
    }

    /** A Job running the Deployment's pod template {@code replicas} times in parallel; Jobs restart on failure only. */
    private static V1Job job(V1Deployment deployment, Integer replicas) {
        V1PodTemplateSpec template = deployment.getSpec().getTemplate();
        template.getSpec().restartPolicy("OnFailure");
        int n = replicas == null ? 1 : replicas;
        V1ObjectMeta meta = deployment.getMetadata();
        return new V1Job().apiVersion("batch/v1").kind("Job").metadata(meta)
                .spec(new V1JobSpec().parallelism(n).completions(n).template(template));
    }

    /**
     * A workload read from a CronJob (its schedule kept in {@link KubernetesWorkloadMapper#SCHEDULE_LABEL}) goes
     * back to a CronJob: rendered as a plain Job it would run once, and a CronJob has no replica count to invent.
     */
    private static V1CronJob cronJob(V1Deployment deployment, Integer replicas, String schedule) {
        V1Job job = job(deployment, replicas == null ? 1 : replicas);
        if (replicas == null) {
            job.getSpec().parallelism(null).completions(null);
        }
        V1ObjectMeta meta = deployment.getMetadata();
        return new V1CronJob().apiVersion("batch/v1").kind("CronJob").metadata(meta)
                .spec(new V1CronJobSpec().schedule(schedule)
                        .jobTemplate(new V1JobTemplateSpec().spec(job.getSpec())));
    }

    @Override
    public List<Parsed> parse(String document) {
        List<JsonObject> objects = new ArrayList<>();
        List<FieldError> errors = new ArrayList<>();
        List<JsonElement> documents = documents(document);
        for (int i = 0; i < documents.size(); i++) {
            collect(documents.get(i), documents.size() == 1 ? "" : "documents[" + i + "]", objects, errors);
        }
        List<String> skipped = new ArrayList<>();
        List<KubernetesObject> workloads = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        List<V1Service> services = new ArrayList<>();
        ManifestConfigKeys configKeys = new ManifestConfigKeys();
        for (JsonObject o : objects) {
            String path = o.remove("$path").getAsString();
            if (!typeMeta(o, path, errors)) {
                continue;
            }
            if (configKeys.take(o)) {
                skipped.add(o.get("kind").getAsString() + nameOf(o) + " is not imported (its keys serve envFrom; values never)");
                continue;
            }
            String kind = o.get("kind").getAsString();
            Class<? extends KubernetesObject> type = "Service".equals(kind) ? V1Service.class : WORKLOAD_KINDS.get(kind);
            if (type == null) {
                skipped.add(kind + nameOf(o) + " is not a workload: skipped");
                continue;
            }
            KubernetesObject parsed;
            // bound from text, not from the tree: Gson's tree reader narrows 12345678901 into an int silently
            JsonReader reader = new JsonReader(new StringReader(o.toString()));
            try {
                parsed = KubernetesJson.gson().fromJson(reader, type);
            } catch (RuntimeException e) {
                errors.add(bindingError(path, reader.getPath(), e));
                continue;
            }
            if (parsed.getMetadata() == null || parsed.getMetadata().getName() == null) {
                errors.add(new FieldError(join(path, "metadata.name"), "is required"));
            } else if (parsed instanceof V1Service s) {
                services.add(s);
            } else if (counts(parsed, path, errors) && required(parsed, path, errors)) {
                workloads.add(parsed);
                paths.add(path);
            }
        }
        if (workloads.isEmpty() && errors.isEmpty()) {
            errors.add(new FieldError("manifest", "no Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob found"
                    + (skipped.isEmpty() ? "" : " (" + String.join("; ", skipped) + ")")));
        }
        if (workloads.size() > ManifestLimits.MAX_WORKLOADS) {
            errors.add(new FieldError("manifest", "at most " + ManifestLimits.MAX_WORKLOADS + " workloads"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException("the Kubernetes manifest is not valid: " + errors.get(0).field() + ": "
                    + errors.get(0).message(), errors);
        }
        List<V1Service> unused = new ArrayList<>(services);
        List<Parsed> out = new ArrayList<>();
        for (int i = 0; i < workloads.size(); i++) {
            KubernetesObject object = workloads.get(i);
            V1Service service = serviceFor(object, services);
            unused.remove(service);
            Workload w;
            try {
                w = KubernetesWorkloadReader.toWorkload(object, List.of(), service, configKeys);
            } catch (RuntimeException e) {
                // the mapper reads objects the API server validated; a required field it needs that
                // required() does not know yet must still be the user's 400, not a 500
                String at = paths.get(i).isEmpty() ? "manifest" : paths.get(i);
                throw InvalidSpecException.of(at, "a field this " + object.getKind() + " needs is missing or malformed");
            }
            List<String> warnings = new ArrayList<>(skipped);
            warnings.addAll(configKeys.warnings(object));
            String sidecars = w.labels().get(KubernetesWorkloadMapper.SIDECARS_LABEL);
            if (sidecars != null) {
                warnings.add("sidecar containers " + sidecars + " are not kept: the model holds the first container");
            }
            out.add(new Parsed(new WorkloadDefinition(w.namespace(), w.name(), w.kind(), w.labels(), w.spec()), warnings));
        }
        for (V1Service s : unused) {
            if (!out.isEmpty()) {
                List<String> w = new ArrayList<>(out.get(0).warnings());
                w.add("Service " + s.getMetadata().getName() + " selects none of the workloads: skipped");
                out.set(0, new Parsed(out.get(0).definition(), w));
            }
        }
        return out;
    }

    /** {@code apiVersion} and {@code kind} are there and strings, as the API server requires of every object. */
    private static boolean typeMeta(JsonObject o, String path, List<FieldError> errors) {
        int before = errors.size();
        for (String field : List.of("apiVersion", "kind")) {
            JsonElement value = o.get(field);
            if (value == null || value.isJsonNull()) {
                errors.add(new FieldError(join(path, field), "is required"));
            } else if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString() || value.getAsString().isBlank()) {
                errors.add(new FieldError(join(path, field), "must be a non-empty string"));
            }
        }
        return errors.size() == before;
    }

    /** The field where binding stopped (the reader's JSON path, {@code $.spec.replicas}) and what it should have been. */
    private static FieldError bindingError(String path, String jsonPath, RuntimeException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        String message = firstLine(cause.getMessage());
        String expected = cause instanceof NumberFormatException ? "must be a number that fits the field"
                : message.startsWith("Expected BEGIN_ARRAY") ? "must be a list"
                : message.startsWith("Expected BEGIN_OBJECT") ? "must be a map"
                : "has the wrong type (" + message.replaceAll(" at line .*", "").replaceAll(" at path .*", "") + ")";
        // a map's value reads as "$.spec.nodeSelector.": the map is the field to name
        String field = jsonPath.startsWith("$.") ? jsonPath.substring(2).replaceAll("\\.$", "") : "";
        return new FieldError(field.isEmpty() ? (path.isEmpty() ? "manifest" : path) : join(path, field), expected);
    }

    /** Replica counts the API server would refuse: a negative count is a typo, not a scale-down. */
    private static boolean counts(KubernetesObject object, String path, List<FieldError> errors) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        if (object instanceof V1Deployment d && d.getSpec() != null) {
            counts.put("spec.replicas", d.getSpec().getReplicas());
        } else if (object instanceof V1StatefulSet st && st.getSpec() != null) {
            counts.put("spec.replicas", st.getSpec().getReplicas());
        } else if (object instanceof V1ReplicaSet r && r.getSpec() != null) {
            counts.put("spec.replicas", r.getSpec().getReplicas());
        } else if (object instanceof V1Job j && j.getSpec() != null) {
            counts.put("spec.parallelism", j.getSpec().getParallelism());
            counts.put("spec.completions", j.getSpec().getCompletions());
        }
        int before = errors.size();
        counts.forEach((field, n) -> {
            if (n != null && n < 0) {
                errors.add(new FieldError(join(path, field), "must be 0 or more"));
            }
        });
        return errors.size() == before;
    }

    /** Fields the API server requires and the mapper reads: containers' names, ports' numbers, a CronJob's schedule and job. */
    private static boolean required(KubernetesObject object, String path, List<FieldError> errors) {
        int before = errors.size();
        String template = "spec.template";
        if (object instanceof V1CronJob cron) {
            if (cron.getSpec() == null || cron.getSpec().getSchedule() == null) {
                errors.add(new FieldError(join(path, "spec.schedule"), "is required"));
            }
            if (cron.getSpec() == null || cron.getSpec().getJobTemplate() == null) {
                errors.add(new FieldError(join(path, "spec.jobTemplate"), "is required"));
                return false;
            }
            template = "spec.jobTemplate.spec.template";
        }
        V1PodTemplateSpec pod = KubernetesWorkloadMapper.templateOf(object);
        List<V1Container> containers = pod == null || pod.getSpec() == null ? null : pod.getSpec().getContainers();
        for (int i = 0; containers != null && i < containers.size(); i++) {
            String at = join(path, template + ".spec.containers[" + i + "]");
            V1Container container = containers.get(i);
            if (container == null) {
                errors.add(new FieldError(at, "must be a container"));
                continue;
            }
            if (container.getName() == null) {
                errors.add(new FieldError(at + ".name", "is required"));
            }
            List<V1ContainerPort> ports = container.getPorts() == null ? List.of() : container.getPorts();
            for (int j = 0; j < ports.size(); j++) {
                if (ports.get(j) == null || ports.get(j).getContainerPort() == null) {
                    errors.add(new FieldError(at + ".ports[" + j + "].containerPort", "is required"));
                }
            }
        }
        return errors.size() == before;
    }

    /** The Service in the same namespace whose selector the workload's pod labels satisfy. */
    private static V1Service serviceFor(KubernetesObject object, List<V1Service> services) {
        V1PodTemplateSpec template = KubernetesWorkloadMapper.templateOf(object);
        Map<String, String> podLabels = template == null || template.getMetadata() == null
                || template.getMetadata().getLabels() == null ? Map.of() : template.getMetadata().getLabels();
        String namespace = KubernetesWorkloadMapper.namespaceOf(object.getMetadata());
        for (V1Service s : services) {
            Map<String, String> selector = s.getSpec() == null ? null : s.getSpec().getSelector();
            if (selector != null && !selector.isEmpty() && namespace.equals(KubernetesWorkloadMapper.namespaceOf(s.getMetadata()))
                    && podLabels.entrySet().containsAll(selector.entrySet())) {
                return s;
            }
        }
        return null;
    }

    private static void collect(JsonElement element, String path, List<JsonObject> out, List<FieldError> errors) {
        if (element == null || element.isJsonNull()) {
            return;
        }
        if (!element.isJsonObject()) {
            errors.add(new FieldError(path.isEmpty() ? "manifest" : path, "must be a Kubernetes object"));
            return;
        }
        JsonObject o = element.getAsJsonObject();
        String kind = text(o, "kind");
        if (kind != null && kind.endsWith("List") && o.get("items") instanceof JsonArray items) {
            for (int i = 0; i < items.size(); i++) {
                collect(items.get(i), join(path, "items[" + i + "]"), out, errors);
            }
            return;
        }
        o.addProperty("$path", path);
        out.add(o);
    }

    /** YAML documents (or one JSON text, whose array is a list of documents) as JSON trees, read under the parse budget. */
    private static List<JsonElement> documents(String document) {
        String text = document == null ? "" : document;
        ManifestReader reader = new ManifestReader();
        List<Object> values;
        String trimmed = text.strip();
        if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
            // JSON as kubectl writes it may be tab-indented, which YAML forbids
            Object json = reader.readJson(text);
            values = json instanceof List<?> list ? new ArrayList<>(list) : java.util.Collections.singletonList(json);
        } else {
            values = reader.readYaml(text);
        }
        List<JsonElement> out = new ArrayList<>();
        for (Object value : values) {
            if (value != null) {
                out.add(json(value));
            }
        }
        return out;
    }

    /** A value the reader built (already within the budget) as the JSON tree client-java's models bind. */
    private static JsonElement json(Object value) {
        if (value instanceof Map<?, ?> map) {
            JsonObject o = new JsonObject();
            map.forEach((k, v) -> o.add((String) k, json(v)));
            return o;
        }
        if (value instanceof List<?> list) {
            JsonArray a = new JsonArray();
            list.forEach(v -> a.add(json(v)));
            return a;
        }
        if (value instanceof Number n) {
            return new JsonPrimitive(n);
        }
        if (value instanceof Boolean b) {
            return new JsonPrimitive(b);
        }
        if (value == null) {
            return com.google.gson.JsonNull.INSTANCE;
        }
        return new JsonPrimitive((String) value);
    }

    /** A model object as plain maps and lists, without nulls, in the field order of the model classes. */
    private static Object plain(KubernetesObject object) {
        return plain(KubernetesJson.gson().toJsonTree(object));
    }

    private static Object plain(JsonElement element) {
        if (element.isJsonObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            element.getAsJsonObject().entrySet().forEach(e -> {
                if (!e.getValue().isJsonNull()) {
                    map.put(e.getKey(), plain(e.getValue()));
                }
            });
            return map;
        }
        if (element.isJsonArray()) {
            List<Object> list = new ArrayList<>();
            element.getAsJsonArray().forEach(e -> list.add(plain(e)));
            return list;
        }
        JsonPrimitive p = element.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return p.getAsBoolean();
        }
        if (p.isNumber()) {
            BigDecimal n = p.getAsBigDecimal();
            return n.scale() <= 0 || n.stripTrailingZeros().scale() <= 0 ? (Object) n.toBigIntegerExact() : n;
        }
        return p.getAsString();
    }

    private static String dumpAll(List<Object> documents) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        return new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(options), options)
                .dumpAll(documents.iterator());
    }

    private static String text(JsonObject o, String field) {
        JsonElement e = o.get(field);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }

    private static String nameOf(JsonObject o) {
        JsonElement meta = o.get("metadata");
        String name = meta != null && meta.isJsonObject() ? text(meta.getAsJsonObject(), "name") : null;
        return name == null ? "" : " " + name;
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    private static String firstLine(String message) {
        String m = Objects.requireNonNullElse(message, "unreadable");
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
