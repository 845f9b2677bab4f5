package io.gantry.kubernetes;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/** The Kubernetes fixtures ({@code testdata/fixtures/kubernetes}, passed as {@code gantry.fixtures}), read as JSON trees. */
final class Fixtures {
    private Fixtures() {
    }

    static Path dir() {
        String root = System.getProperty("gantry.fixtures");
        if (root == null) {
            throw new AssertionError("system property gantry.fixtures is not set (the parent pom sets it)");
        }
        Path dir = Path.of(root, "kubernetes");
        if (!Files.isDirectory(dir)) {
            throw new AssertionError("fixtures directory missing: " + dir);
        }
        return dir;
    }

    /** Every fixture file (JSON or YAML), sorted. */
    static List<Path> all() {
        try (Stream<Path> files = Files.walk(dir())) {
            return files.filter(p -> p.toString().endsWith(".json") || p.toString().endsWith(".yaml"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path file(String relative) {
        return dir().resolve(relative);
    }

    /** The documents of a file: one for JSON, one per {@code ---} section for YAML. */
    static List<JsonObject> documents(Path file) {
        try {
            String text = Files.readString(file);
            if (file.toString().endsWith(".json")) {
                return List.of(KubernetesJson.gson().fromJson(text, JsonObject.class));
            }
            List<JsonObject> out = new ArrayList<>();
            for (Object doc : yaml().loadAll(text)) {
                if (doc != null) {
                    JsonElement tree = KubernetesJson.gson().toJsonTree(doc);
                    out.add(tree.getAsJsonObject());
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonObject single(String relative) {
        List<JsonObject> docs = documents(file(relative));
        if (docs.size() != 1) {
            throw new AssertionError(relative + " holds " + docs.size() + " documents");
        }
        return docs.get(0);
    }

    /**
     * YAML as kubectl prints it: timestamps stay strings (SnakeYAML would turn an unquoted
     * {@code 2018-07-18T04:40:44Z} into a java.util.Date).
     */
    private static Yaml yaml() {
        Resolver noTimestamps = new Resolver() {
            @Override
            protected void addImplicitResolvers() {
                addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.BOOL, BOOL, "yYnNtTfFoO");
                addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.INT, INT, "-+0123456789");
                addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.FLOAT, FLOAT, "-+0123456789.");
                addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.MERGE, MERGE, "<");
                addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.NULL, NULL, "~nN\0");
                addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.NULL, EMPTY, null);
            }
        };
        DumperOptions dump = new DumperOptions();
        return new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(dump), dump, noTimestamps);
    }
}
