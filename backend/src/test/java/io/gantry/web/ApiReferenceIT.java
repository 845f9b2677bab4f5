package io.gantry.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.stream.LiveStream;
import io.gantry.support.Api;
import io.gantry.support.IntegrationTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Keeps {@code docs/api.md} and the server's own OpenAPI document saying the same thing: every
 * operation, parameter, schema and schema field (and every enum value) in one is in the other, and
 * every live-stream event the server sends and every problem type it answers with is documented. A new endpoint or field fails this test
 * until its reference is written.
 */
class ApiReferenceIT extends IntegrationTest {
    private static final Pattern OPERATION = Pattern.compile("^### (GET|POST|PUT|DELETE|PATCH) (/\\S+)$");
    private static final Pattern SCHEMA = Pattern.compile("^### (\\w+)$");
    private static final Pattern FIELD_ROW = Pattern.compile("^\\| `(\\w+)` \\|(.*)$");
    private static final Pattern ERRORS = Pattern.compile("^## (Errors)$");
    /** {@code | `slug` | status | title | when | extra members |} */
    private static final Pattern PROBLEM_ROW = Pattern.compile("^\\| `([^`]+)` \\| ([^|]+) \\| ([^|]+) \\|.*\\|.*\\|$");
    /** Schemas springdoc derives from framework types, not part of the contract: they have no page. */
    private static final Set<String> FRAMEWORK_SCHEMAS = Set.of("JsonNode", "SseEmitter");

    private JsonNode openApi;
    private List<String> reference;

    @BeforeEach
    void read() throws IOException {
        Api.Response docs = api().get("/v3/api-docs");
        assertThat(docs.status()).as(docs.toString()).isEqualTo(200);
        openApi = docs.json();
        reference = Files.readAllLines(Path.of(System.getProperty("gantry.repo"), "docs", "api.md"));
    }

    @Test
    void everyOperationIsDocumentedAndEveryDocumentedOperationExists() {
        Set<String> served = new TreeSet<>();
        for (Map.Entry<String, JsonNode> path : openApi.get("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                served.add(op.getKey().toUpperCase() + " " + path.getKey());
            }
        }
        assertThat(new TreeSet<>(sections(OPERATION).keySet())).isEqualTo(served);
    }

    @Test
    void everyParameterIsNamedInItsOperationsSection() {
        Map<String, List<String>> sections = sections(OPERATION);
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : openApi.get("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                String key = op.getKey().toUpperCase() + " " + path.getKey();
                String text = String.join("\n", sections.getOrDefault(key, List.of()));
                JsonNode parameters = op.getValue().get("parameters");
                if (parameters == null) {
                    continue;
                }
                for (JsonNode p : parameters) {
                    String name = p.get("name").asString();
                    if (!text.contains("`" + name + "`")) {
                        missing.add(key + " " + name);
                    }
                }
            }
        }
        assertThat(missing).as("parameters served but not named in docs/api.md").isEmpty();
    }

    @Test
    void everySchemaAndFieldIsDocumentedAndNothingElse() {
        Map<String, List<String>> documented = sections(SCHEMA);
        Set<String> served = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> schema : openApi.get("components").get("schemas").properties()) {
            String name = schema.getKey();
            JsonNode properties = schema.getValue().get("properties");
            if (FRAMEWORK_SCHEMAS.contains(name) || properties == null) {
                continue;
            }
            served.add(name);
            Map<String, String> rows = fieldRows(documented.getOrDefault(name, List.of()));
            Set<String> fields = new TreeSet<>();
            properties.properties().forEach(p -> fields.add(p.getKey()));
            if (!rows.keySet().equals(fields)) {
                problems.add(name + ": served " + fields + ", documented " + rows.keySet());
            }
            for (Map.Entry<String, JsonNode> p : properties.properties()) {
                JsonNode values = p.getValue().get("enum");
                String row = rows.getOrDefault(p.getKey(), "");
                for (int i = 0; values != null && i < values.size(); i++) {
                    if (!row.contains("`" + values.get(i).asString() + "`")) {
                        problems.add(name + "." + p.getKey() + ": enum value " + values.get(i).asString() + " undocumented");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(new TreeSet<>(documented.keySet())).as("schemas documented in docs/api.md").isEqualTo(served);
    }

    @Test
    void everyLiveStreamEventIsDocumented() throws IllegalAccessException {
        String text = String.join("\n", reference);
        List<String> missing = new ArrayList<>();
        for (Field f : LiveStream.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                String event = (String) f.get(null);
                if (!text.contains("| `" + event + "` |")) {
                    missing.add(event);
                }
            }
        }
        assertThat(missing).as("live-stream events without a row in docs/api.md").isEmpty();
    }

    @Test
    void everyProblemTypeIsDocumentedWithItsStatusAndTitle() {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (String line : sections(ERRORS).getOrDefault("Errors", List.of())) {
            Matcher m = PROBLEM_ROW.matcher(line);
            if (m.matches()) {
                rows.put(m.group(1), List.of(m.group(2).trim(), m.group(3).trim()));
            }
        }
        Set<String> types = new TreeSet<>(Set.of(ProblemType.STATUS_SLUG));
        List<String> wrong = new ArrayList<>();
        for (ProblemType type : ProblemType.values()) {
            types.add(type.slug());
            List<String> row = rows.get(type.slug());
            if (row != null && !row.equals(List.of(Integer.toString(type.status().value()), type.title()))) {
                wrong.add(type.slug() + ": documented " + row + ", served " + type.status().value() + " " + type.title());
            }
        }
        assertThat(new TreeSet<>(rows.keySet())).as("problem types in the Errors table of docs/api.md").isEqualTo(types);
        assertThat(wrong).as("problem types whose status or title the docs get wrong").isEmpty();
    }

    /** Every problem type is a {@link ProblemType}: no class writes a type URI of its own that the docs would miss. */
    @Test
    void problemTypeUrisAreWrittenInOnePlace() throws IOException {
        Path main = Path.of(System.getProperty("gantry.repo"), "backend", "src", "main", "java");
        Path types = main.resolve(Path.of("io", "gantry", "web", "ProblemType.java"));
        List<String> elsewhere;
        try (var files = Files.walk(main)) {
            elsewhere = files.filter(f -> f.toString().endsWith(".java") && !f.equals(types))
                    .filter(f -> read(f).contains("gantry.io/problems"))
                    .map(f -> main.relativize(f).toString()).toList();
        }
        assertThat(elsewhere).as("classes naming a problem type URI outside ProblemType").isEmpty();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines under each heading the pattern matches, up to the next heading of any level. */
    private Map<String, List<String>> sections(Pattern heading) {
        Map<String, List<String>> sections = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : reference) {
            Matcher m = heading.matcher(line);
            if (m.matches()) {
                current = new ArrayList<>();
                sections.put(m.groupCount() == 2 ? m.group(1) + " " + m.group(2) : m.group(1), current);
            } else if (line.startsWith("#")) {
                current = null;
            } else if (current != null) {
                current.add(line);
            }
        }
        return sections;
    }

    private static Map<String, String> fieldRows(List<String> lines) {
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = FIELD_ROW.matcher(line);
            if (m.matches()) {
                rows.put(m.group(1), m.group(2));
            }
        }
        return rows;
    }
}
