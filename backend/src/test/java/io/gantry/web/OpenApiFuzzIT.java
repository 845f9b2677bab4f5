package io.gantry.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.support.IntegrationTest;
import io.gantry.support.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Issue 13, "no 5xx for bad input, anywhere": reads the server's own OpenAPI document, walks every
 * operation it lists (so endpoints added later are covered without touching this test) and sends
 * each a corpus of malformed requests: bad path ids, bad query parameters and headers, bodies that
 * are not JSON or have each field replaced by something of the wrong type, too big, too deep, of an
 * unknown enum value, missing, or not UTF-8, and wrong Content-Types; as an administrator and
 * without credentials. It asserts that nothing answers 5xx, that every 4xx under {@code /api} is
 * {@code application/problem+json}, and that a 400 for one bad query parameter or body field names
 * it. All failures are collected and reported together, each with the request that caused it.
 *
 * <p>Requests that do succeed change state, so this test runs in an application context (and a
 * database) of its own, closed afterwards: a body with an empty selector or a garbled id can then
 * reach nothing the other tests made. The only engine there is a fake one of kind {@code test} (in
 * memory, see {@code FakeEngineAdapter}) that bodies name as their engine, so a valid deploy, import
 * or copy starts nothing real; every id in a path is a random UUID or garbage; what a valid POST
 * creates (an engine, a user, a token) is deleted again at once.
 */
@TestPropertySource(properties = "gantry.test.context=fuzz")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class OpenApiFuzzIT extends IntegrationTest {

    // ---- The corpus. Every bug this test (or anybody) finds adds the input that caused it here. ----

    /**
     * Raw values, exactly as sent, for a path segment and a query parameter. Also tried: a random
     * UUID for every path variable (the baseline), the parameter repeated, and the parameter
     * without a value.
     */
    static final List<String> PARAMETER_VALUES = List.of(
            "%00%ff",                    // invalid UTF-8: 500 on every route (issue 13)
            "%00",                       // NUL, which PostgreSQL refuses (as a body field it answered 500)
            "%c3%28",                    // a two-byte sequence broken off
            "%C0%AF",                    // an overlong encoding of '/'
            "%zz",                       // not a percent-escape
            "x".repeat(3000),            // overlong
            "-1", "99999999999999999999", "1e309", "NaN", "1.5",
            "NOT_A_VALUE",               // an unknown enum value
            "",
            "%2e%2e",
            "a%2Fb",                     // an encoded slash
            "a;b=c",                     // a path parameter
            "%0d%0aX-Injected:%201",     // CR LF
            "%F0%9F%92%A9");             // a four-byte character

    /** Query strings added to every operation whatever parameters it declares. */
    static final List<String> EXTRA_QUERIES = List.of(
            "cursor=%00%ff",             // issue 13: InvalidParameterException from Tomcat, 500 on every route
            "%ff=1",                     // invalid UTF-8 in a name
            "a=%c3%28&a=%ff",
            "limit=99999999999999999999&cursor=%zz", // a bad escape: 500 (InvalidParameterException)
            "&&&==&",                    // a parameter without a name: 500 (InvalidParameterException)
            "x=" + "y".repeat(3000));

    /** Raw header values (ISO-8859-1 on the wire: \u00ff is the byte 0xff). */
    static final List<String> HEADER_VALUES = List.of(
            "\u00ff\u00fe", "x".repeat(3000), "", "NOT_A_VALUE", "-1", "99999999999999999999", "%00%ff");

    /** Whole bodies sent as application/json. */
    static final List<byte[]> BODIES = List.of(
            utf8(""), utf8("not json"), utf8("{"), utf8("}"), utf8("[]"), utf8("42"), utf8("\"text\""), utf8("null"),
            utf8("true"), utf8("{\"a\":1}{"), utf8("{\"a\":1,}"), utf8("{'a':1}"), utf8("{\"a\":1,\"a\":2}"),
            utf8("[".repeat(5000) + "]".repeat(5000)),     // deep nesting
            utf8("{\"a\":".repeat(3000) + "1" + "}".repeat(3000)),
            utf8("1e999999"), utf8("9".repeat(5000)),     // number overflow
            bytes(0xff, 0xfe, 0xfd),                       // not UTF-8 at all
            bytes(0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d), // {"\xc3(":1}
            bytes(0xef, 0xbb, 0xbf, 0x7b, 0x7d),           // a byte order mark, then {}
            utf8("{\"\\u0000\":\"\\ud800\"}"));            // NUL and a lone surrogate

    /**
     * JSON values put in place of each field of a valid body, one field at a time. Also tried: each
     * required field left out, and a string of invalid UTF-8 bytes.
     */
    static final List<String> FIELD_VALUES = List.of(
            "null", "12345", "\"text\"", "true", "{}", "[]", "[null]", "\"NOT_A_VALUE\"",
            "99999999999999999999", "-9223372036854775809", "-1", "0", "1e309", "1.5",
            "\"" + "x".repeat(100_000) + "\"",           // overlong
            "[" + "\"x\",".repeat(20_000) + "\"x\"]",    // a long array
            "[".repeat(2000) + "]".repeat(2000),           // deep nesting
            "\"\\u0000\"",                                // NUL: a workload's engine of "\u0000" answered 500
            "{\"\\u0000\":\"x\"}",                      // NUL in a map key (labels)
            "\"%00%ff\"", "\"\\ud800\"", "\"2024-13-45T99:99:99Z\"");

    /** What replaces a field holding an object or an array (its members get {@link #FIELD_VALUES}). */
    static final List<String> CONTAINER_VALUES = List.of(
            "null", "12345", "\"text\"", "true", "{}", "[]", "[".repeat(2000) + "]".repeat(2000),
            "{\"\\u0000\":\"x\"}");

    /**
     * Values for fields the schema leaves open (a plain string) but the server checks, so that the
     * valid body is valid and each mutation is judged on its own. An engine named in a body is the
     * fake engine this test registers (kind {@code test}, in memory: deploying to it starts nothing).
     */
    static final Map<String, String> HINTS = Map.of(
            "kind", "test",
            "endpoint", "test://" + OpenApiFuzzIT.FAKE_ENGINE,
            "format", "kubernetes",
            "manifest", """
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: fuzz-import, namespace: fuzz}
                    spec:
                      replicas: 1
                      selector: {matchLabels: {app: fuzz-import}}
                      template:
                        metadata: {labels: {app: fuzz-import}}
                        spec: {containers: [{name: main, image: "gantry-test/busybox:1"}]}
                    """);

    /** Content-Types sent with an otherwise valid JSON body. */
    static final List<String> CONTENT_TYPES = List.of(
            "*/*",                       // a wildcard Content-Type: 500 (IllegalArgumentException in HttpHeaders)
            "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=fuzz",
            "application/json; charset=nonsense", "application/json; charset=UTF-16", "application/json; charset=ISO-8859-1",
            "application/*", "application/json;;;=", "garbage", "");

    /** Accept headers. */
    static final List<String> ACCEPTS = List.of("text/html", "garbage/;q=abc");

    /** Form bodies (application/x-www-form-urlencoded), which Tomcat parses into parameters. */
    static final List<String> FORM_BODIES = List.of(
            "cursor=%00%ff",             // Tomcat parses form bodies as parameters: 500 as in the query string
            "%ff=%fe", "a=" + "b".repeat(5000));

    /** Authorization headers of calls without valid credentials (sent to the first few operations only). */
    static final List<String> AUTHORIZATIONS = List.of(
            "Bearer", "Bearer ", "Bearer \u00ff\u00fe", "Bearer " + "x".repeat(3000), "Basic Zm9vOmJhcg==", "garbage");

    /** Dashboard pages: a bad query string answers a 400 error page, not a 500. */
    static final List<String> PAGES = List.of("/", "/workloads", "/workloads/x", "/engines", "/login", "/deploy",
            "/workloads/00000000-0000-0000-0000-000000000001/console", "/audit", "/teams", "/assets/app.css", "/swagger-ui.html", "/v3/api-docs", "/error", "/no-such-page");

    /** Operations not sent at all: none today. Say why when adding one. */
    static final List<String> SKIPPED = List.of();

    // ---- The walk. ----

    static final String FAKE_ENGINE = "fuzz-engine";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String MARKER = "@@fuzz-value@@";
    private static final Pattern STACK_TRACE = Pattern.compile("\\tat [a-z]|Exception: |\\.java:\\d+\\)");
    private final Random random = new Random(13);
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger sent = new AtomicInteger();
    private JsonNode doc;
    private RawHttp http;
    private List<Operation> operations;
    private String engineId;
    /** The status of each operation's valid request: a 400 there (an id that does not exist) hides what a mutation names. */
    private final Map<Operation, Integer> baselines = new java.util.concurrent.ConcurrentHashMap<>();

    record Parameter(String name, String in, JsonNode schema, boolean required) {
    }

    record Operation(String method, String path, List<Parameter> parameters, JsonNode bodySchema) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** One request to send, and the field it is about (null when it is not about one). */
    record Case(String label, RawHttp.Request request, String field, Operation op) {
        Case(String label, RawHttp.Request request, String field) {
            this(label, request, field, null);
        }
    }

    @Test
    void noOperationAnswers5xxToMalformedInput() throws Exception {
        http = new RawHttp(port);
        doc = JSON.readTree(api().get("/v3/api-docs").body());
        operations = operations();
        assertThat(operations).as("operations in /v3/api-docs").hasSizeGreaterThan(20)
                .extracting(Operation::toString).contains("POST /api/v1/workloads", "GET /api/v1/workloads");

        var engine = api().post("/api/v1/engines", Map.of("name", FAKE_ENGINE, "kind", "test",
                "endpoint", "test://" + FAKE_ENGINE));
        assertThat(engine.status()).as(engine.toString()).isEqualTo(201);
        engineId = engine.json().get("id").asString();

        List<Case> cases = new ArrayList<>();
        for (Operation op : operations) {
            List<Case> own = cases(op);
            if (!own.isEmpty()) {
                // the valid request first, alone: mutations are judged against it
                baselines.put(op, check(own.get(0)));
                cases.addAll(own.subList(1, own.size()));
            }
        }
        run(cases);
        System.out.println("OpenApiFuzzIT: valid requests answered " + baselines.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).sorted().collect(Collectors.joining(", ")));
        report("malformed requests to " + operations.size() + " operations");
    }

    @Test
    void pagesAnswerABadQueryStringWith400() throws Exception {
        http = new RawHttp(port);
        List<Case> cases = new ArrayList<>();
        for (String page : PAGES) {
            for (String query : EXTRA_QUERIES) {
                cases.add(new Case("page", request("GET", page + "?" + query, null, null, null), null));
            }
        }
        run(cases);
        for (String page : PAGES) {
            RawHttp.Response r = http.send(request("GET", page + "?cursor=%00%ff", null, null, null));
            if (r.status() != 400) {
                failures.add("GET " + page + "?cursor=%00%ff -> " + r.status() + " (expected 400)");
            }
        }
        report("bad query strings to pages");
    }

    private List<Case> cases(Operation op) {
        List<Case> cases = new ArrayList<>();
        if (SKIPPED.contains(op.toString())) {
            return cases;
        }
        Map<String, String> path = new LinkedHashMap<>();
        Map<String, String> query = new LinkedHashMap<>();
        Map<String, String> headers = new LinkedHashMap<>();
        for (Parameter p : op.parameters()) {
            switch (p.in()) {
                case "path" -> path.put(p.name(), UUID.randomUUID().toString());
                case "query" -> {
                    if (p.required()) {
                        query.put(p.name(), enc(sample(p.schema(), p.name(), 0).asString("1")));
                    }
                }
                case "header" -> {
                    if (p.required()) {
                        headers.put(p.name(), sample(p.schema(), p.name(), 0).asString("1"));
                    }
                }
                default -> {
                }
            }
        }
        BodyShape body = op.bodySchema() == null ? null : bodyShape(op.bodySchema());
        byte[] validBody = body == null ? null : utf8(JSON.writeValueAsString(body.sample()));
        String json = body == null ? null : "application/json";

        // The valid request itself, and it under each extra query string.
        cases.add(new Case("baseline", request(op.method(), target(op, path, query, null), headers, json, validBody), null, op));
        for (String extra : EXTRA_QUERIES) {
            cases.add(new Case("query", request(op.method(), target(op, path, query, extra), headers, json, validBody), null));
        }
        // Path variables.
        for (String name : path.keySet()) {
            for (String value : PARAMETER_VALUES) {
                Map<String, String> bad = new LinkedHashMap<>(path);
                bad.put(name, value);
                cases.add(new Case("path", request(op.method(), target(op, bad, query, null), headers, json, validBody), null));
            }
        }
        // Query parameters: each value, repeated, without a value.
        for (Parameter p : op.parameters()) {
            if (p.in().equals("query")) {
                for (String value : PARAMETER_VALUES) {
                    Map<String, String> bad = new LinkedHashMap<>(query);
                    bad.put(p.name(), value);
                    cases.add(new Case("query", request(op.method(), target(op, path, bad, null), headers, json,
                            validBody), p.name(), op));
                }
                cases.add(new Case("query", request(op.method(), target(op, path, query,
                        p.name() + "=1&" + p.name() + "=NOT_A_VALUE"), headers, json, validBody), null));
                cases.add(new Case("query", request(op.method(), target(op, path, query, p.name()), headers, json,
                        validBody), null));
            } else if (p.in().equals("header")) {
                for (String value : HEADER_VALUES) {
                    Map<String, String> bad = new LinkedHashMap<>(headers);
                    bad.put(p.name(), value);
                    cases.add(new Case("header", request(op.method(), target(op, path, query, null), bad, json,
                            validBody), null));
                }
            }
        }
        String target = target(op, path, query, null);
        for (String accept : ACCEPTS) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put("Accept", accept);
            cases.add(new Case("accept", request(op.method(), target, h, json, validBody), null));
        }
        // Bodies: a few for an operation that takes none; whole bodies, then field by field for the others.
        if (body == null) {
            if (!op.method().equals("GET")) {
                cases.add(new Case("body", request(op.method(), target, headers, "application/json", BODIES.get(1)), null));
                cases.add(new Case("form", request(op.method(), target, headers, "application/x-www-form-urlencoded",
                        utf8(FORM_BODIES.get(0))), null));
            }
        } else {
            for (byte[] b : BODIES) {
                cases.add(new Case("body", request(op.method(), target, headers, "application/json", b), null));
            }
            for (String form : FORM_BODIES) {
                cases.add(new Case("form", request(op.method(), target, headers, "application/x-www-form-urlencoded",
                        utf8(form)), null));
            }
            for (String type : CONTENT_TYPES) {
                cases.add(new Case("content-type", request(op.method(), target, headers, type, validBody), null));
            }
            cases.add(new Case("no body", request(op.method(), target, headers, json, null), null));
            for (Field f : body.fields()) {
                for (String value : f.container() ? CONTAINER_VALUES : FIELD_VALUES) {
                    cases.add(new Case("field", request(op.method(), target, headers, json,
                            body.with(f.pointer(), utf8(value))), f.name(), op));
                }
                if (f.string()) {
                    cases.add(new Case("field", request(op.method(), target, headers, json,
                            body.with(f.pointer(), bytes('"', 0xc3, 0x28, 'a', 0xff, '"'))), f.name(), op));
                }
            }
            for (Field f : body.required()) {
                cases.add(new Case("missing", request(op.method(), target, headers, json, body.without(f.pointer())),
                        f.name(), op));
            }
        }
        // Without credentials, or with broken ones.
        cases.add(new Case("anonymous", anonymous(op.method(), target, null, json, validBody), null));
        cases.add(new Case("anonymous", anonymous(op.method(), target(op, path, query, "cursor=%00%ff"), null, json,
                validBody), null));
        if (operations.indexOf(op) < 3) {
            for (String authorization : AUTHORIZATIONS) {
                cases.add(new Case("anonymous", anonymous(op.method(), target, authorization, json, validBody), null));
            }
        }
        // A method the path does not take.
        cases.add(new Case("method", request("PATCH", target, headers, json, validBody), null));
        return cases;
    }

    private void run(List<Case> cases) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Case c : cases) {
                futures.add(pool.submit(() -> {
                    check(c);
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Sends the case and notes what is wrong with the answer; returns its status (0: none). */
    private int check(Case c) {
        RawHttp.Response r;
        try {
            r = http.send(c.request());
        } catch (RuntimeException e) {
            failures.add(describe(c) + " -> no answer: " + e);
            return 0;
        }
        sent.incrementAndGet();
        String target = c.request().target();
        boolean api = target.startsWith("/api/");
        if (r.status() >= 500) {
            failures.add(describe(c) + " -> " + answer(r));
        } else if (api && r.status() >= 400 && !r.contentType().startsWith("application/problem+json")) {
            failures.add(describe(c) + " -> not a problem: " + answer(r));
        } else if (STACK_TRACE.matcher(r.body()).find()) {
            failures.add(describe(c) + " -> a stack trace: " + answer(r));
        } else if (api && r.status() == 400 && c.field() != null && c.op() != null && baselines.getOrDefault(c.op(), 0) != 400
                && !names(r.body(), c.field())) {
            failures.add(describe(c) + " -> 400 not naming " + c.field() + ": " + answer(r));
        }
        if (r.status() / 100 == 2 && c.request().method().equals("POST") && r.headers().containsKey("location")) {
            cleanUp(r.headers().get("location"));
        }
        return r.status();
    }

    /** Deletes what a request that happened to be valid created, where the API has a DELETE for it. */
    private void cleanUp(String location) {
        String path = location.replaceFirst("^https?://[^/]+", "");
        boolean deletable = operations.stream().anyMatch(op -> op.method().equals("DELETE")
                && path.matches(op.path().replaceAll("\\{[^}]+}", "[^/]+")));
        if (deletable) {
            RawHttp.Response r = http.send(request("DELETE", path, null, null, null));
            if (r.status() >= 500) {
                failures.add("DELETE " + path + " (clean-up) -> " + answer(r));
            }
        }
    }

    /** Whether the problem names the field: in {@code errors[].field} (or a parent or child of it), else in its detail. */
    private static boolean names(String body, String field) {
        JsonNode problem;
        try {
            problem = JSON.readTree(body);
        } catch (RuntimeException e) {
            return false;
        }
        for (JsonNode error : problem.path("errors")) {
            String named = error.path("field").asString("");
            if (!named.isEmpty() && (named.equals(field) || field.startsWith(named + ".") || field.startsWith(named + "[")
                    || named.startsWith(field + ".") || named.startsWith(field + "["))) {
                return true;
            }
        }
        return false;
    }

    private void report(String what) throws IOException {
        Path file = Path.of("target", "fuzz-failures-" + what.replaceAll("\\W+", "-") + ".txt");
        Files.createDirectories(file.getParent());
        Files.write(file, failures);
        System.out.println("OpenApiFuzzIT: " + sent.get() + " " + what + ", " + failures.size() + " failures (" + file + ")");
        assertThat(failures).as(failures.size() + " of " + sent.get() + " " + what + " failed; all in " + file.toAbsolutePath()
                + "; first ones:\n" + failures.stream().limit(100).collect(Collectors.joining("\n")))
                .isEmpty();
    }

    // ---- Requests. ----

    private RawHttp.Request request(String method, String target, Map<String, String> headers, String contentType,
            byte[] body) {
        List<Map.Entry<String, String>> h = new ArrayList<>();
        h.add(Map.entry("Authorization", "Bearer " + ADMIN_TOKEN));
        if (headers != null) {
            headers.forEach((k, v) -> h.add(Map.entry(k, v)));
        }
        if (contentType != null && body != null) {
            h.add(Map.entry("Content-Type", contentType));
        }
        return new RawHttp.Request(method, target, h, body);
    }

    private static RawHttp.Request anonymous(String method, String target, String authorization, String contentType,
            byte[] body) {
        List<Map.Entry<String, String>> h = new ArrayList<>();
        if (authorization != null) {
            h.add(Map.entry("Authorization", authorization));
        }
        if (contentType != null && body != null) {
            h.add(Map.entry("Content-Type", contentType));
        }
        return new RawHttp.Request(method, target, h, body);
    }

    private static String target(Operation op, Map<String, String> path, Map<String, String> query, String extra) {
        String target = op.path();
        for (Map.Entry<String, String> e : path.entrySet()) {
            target = target.replace("{" + e.getKey() + "}", e.getValue());
        }
        String q = query.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("&"));
        if (extra != null) {
            q = q.isEmpty() ? extra : q + "&" + extra;
        }
        return q.isEmpty() ? target : target + "?" + q;
    }

    private static String describe(Case c) {
        RawHttp.Request r = c.request();
        StringBuilder s = new StringBuilder("[" + c.label() + "] " + r.method() + " " + cut(r.target(), 200));
        if (r.header("Authorization") == null || !r.header("Authorization").equals("Bearer " + ADMIN_TOKEN)) {
            s.append(" (Authorization: ").append(r.header("Authorization") == null ? "none" : cut(r.header("Authorization"), 40))
                    .append(')');
        }
        for (Map.Entry<String, String> h : r.headers()) {
            if (!h.getKey().equals("Authorization") && !h.getKey().equals("Content-Type")) {
                s.append(" (").append(h.getKey()).append(": ").append(cut(h.getValue(), 40)).append(')');
            }
        }
        if (r.body() != null) {
            s.append(" Content-Type: ").append(r.header("Content-Type")).append(" body: ")
                    .append(cut(new String(r.body(), StandardCharsets.ISO_8859_1), 300));
        }
        return s.toString();
    }

    private static String answer(RawHttp.Response r) {
        return r.status() + " " + r.contentType() + " " + cut(r.body(), 400);
    }

    private static String cut(String s, int max) {
        return s.length() > max ? s.substring(0, max) + "...(" + s.length() + " chars)" : s;
    }

    // ---- The OpenAPI document. ----

    private List<Operation> operations() {
        List<Operation> ops = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
                if (!List.of("get", "post", "put", "patch", "delete").contains(method.getKey())) {
                    continue;
                }
                JsonNode op = method.getValue();
                List<Parameter> parameters = new ArrayList<>();
                for (JsonNode p : op.path("parameters")) {
                    JsonNode resolved = resolve(p);
                    parameters.add(new Parameter(resolved.path("name").asString(), resolved.path("in").asString(),
                            resolved.path("schema"), resolved.path("required").asBoolean(false)));
                }
                JsonNode content = resolve(op.path("requestBody")).path("content");
                JsonNode bodySchema = null;
                for (Map.Entry<String, JsonNode> media : content.properties()) {
                    if (media.getKey().contains("json") || bodySchema == null) {
                        bodySchema = media.getValue().path("schema");
                    }
                }
                ops.add(new Operation(method.getKey().toUpperCase(Locale.ROOT), path.getKey(), parameters, bodySchema));
            }
        }
        return ops;
    }

    /** Follows {@code $ref}, and picks the first of {@code allOf}/{@code oneOf}/{@code anyOf}. */
    private JsonNode resolve(JsonNode schema) {
        for (int i = 0; i < 20 && schema != null; i++) {
            if (schema.has("$ref")) {
                String ref = schema.get("$ref").asString();
                JsonNode target = doc;
                for (String part : ref.substring(2).split("/")) {
                    target = target.path(part);
                }
                schema = target;
            } else if (schema.has("allOf") || schema.has("oneOf") || schema.has("anyOf")) {
                JsonNode options = schema.has("allOf") ? schema.get("allOf")
                        : schema.has("oneOf") ? schema.get("oneOf") : schema.get("anyOf");
                JsonNode first = null;
                for (JsonNode option : options) {
                    if (!"null".equals(type(resolve(option)))) {
                        first = option;
                        break;
                    }
                }
                schema = first;
            } else {
                return schema;
            }
        }
        return schema == null ? JsonNodeFactory.instance.objectNode() : schema;
    }

    private static String type(JsonNode schema) {
        JsonNode type = schema.path("type");
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (!t.asString().equals("null")) {
                    return t.asString();
                }
            }
            return "null";
        }
        if (type.isMissingNode() && schema.has("properties")) {
            return "object";
        }
        return type.asString("");
    }

    /** A value the schema accepts; names no engine, workload or user that exists. */
    private JsonNode sample(JsonNode schema, String name, int depth) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        schema = resolve(schema);
        if (schema.has("enum") && !schema.get("enum").isEmpty()) {
            return schema.get("enum").get(0);
        }
        if (HINTS.containsKey(name)) {
            return nodes.stringNode(HINTS.get(name));
        }
        switch (type(schema)) {
            case "object" -> {
                ObjectNode object = nodes.objectNode();
                if (depth < 8) {
                    for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
                        object.set(p.getKey(), sample(p.getValue(), p.getKey(), depth + 1));
                    }
                    JsonNode additional = schema.path("additionalProperties");
                    if (additional.isObject()) {
                        object.set("fuzz", sample(additional, "fuzz", depth + 1));
                    }
                }
                return object;
            }
            case "array" -> {
                ArrayNode array = nodes.arrayNode();
                if (depth < 8) {
                    array.add(sample(schema.path("items"), name, depth + 1));
                }
                return array;
            }
            case "integer", "number" -> {
                return nodes.numberNode(1);
            }
            case "boolean" -> {
                return nodes.booleanNode(false);
            }
            default -> {
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.equals("engine") || lower.equals("targetengine")) {
                    return nodes.stringNode(engineId == null ? "fuzz-no-engine" : engineId);
                }
                String format = schema.path("format").asString("");
                if (format.equals("date-time")) {
                    return nodes.stringNode(Instant.now().plus(Duration.ofDays(1)).toString());
                }
                if (format.equals("uuid")) {
                    return nodes.stringNode(UUID.randomUUID().toString());
                }
                return nodes.stringNode("fuzz-" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36));
            }
        }
    }

    record Field(List<Object> pointer, String name, boolean string, boolean container) {
    }

    /** A valid body, its fields (each as a path of property names and indexes) and its required fields. */
    record BodyShape(JsonNode sample, List<Field> fields, List<Field> required) {
        byte[] with(List<Object> pointer, byte[] value) {
            JsonNode copy = sample.deepCopy();
            set(copy, pointer, JsonNodeFactory.instance.stringNode(MARKER));
            String[] parts = JSON.writeValueAsString(copy).split(Pattern.quote("\"" + MARKER + "\""), -1);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(utf8(parts[0]));
            out.writeBytes(value);
            out.writeBytes(utf8(parts[1]));
            return out.toByteArray();
        }

        byte[] without(List<Object> pointer) {
            JsonNode copy = sample.deepCopy();
            JsonNode parent = copy;
            for (Object step : pointer.subList(0, pointer.size() - 1)) {
                parent = step instanceof Integer i ? parent.get(i) : parent.get((String) step);
            }
            ((ObjectNode) parent).remove((String) pointer.get(pointer.size() - 1));
            return utf8(JSON.writeValueAsString(copy));
        }

        private static void set(JsonNode root, List<Object> pointer, JsonNode value) {
            JsonNode parent = root;
            for (Object step : pointer.subList(0, pointer.size() - 1)) {
                parent = step instanceof Integer i ? parent.get(i) : parent.get((String) step);
            }
            Object last = pointer.get(pointer.size() - 1);
            if (last instanceof Integer i) {
                ((ArrayNode) parent).set(i, value);
            } else {
                ((ObjectNode) parent).set((String) last, value);
            }
        }
    }

    private BodyShape bodyShape(JsonNode schema) {
        JsonNode sample = sample(schema, "body", 0);
        List<Field> fields = new ArrayList<>();
        List<Field> required = new ArrayList<>();
        collect(resolve(schema), sample, new ArrayList<>(), fields, required);
        return new BodyShape(sample, fields, required);
    }

    private void collect(JsonNode schema, JsonNode value, List<Object> pointer, List<Field> fields, List<Field> required) {
        if (value.isObject()) {
            List<String> requiredNames = new ArrayList<>();
            schema.path("required").forEach(r -> requiredNames.add(r.asString()));
            for (Iterator<Map.Entry<String, JsonNode>> it = value.properties().iterator(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                List<Object> child = new ArrayList<>(pointer);
                child.add(e.getKey());
                Field field = new Field(child, name(child), e.getValue().isString(), e.getValue().isContainer());
                fields.add(field);
                if (requiredNames.contains(e.getKey())) {
                    required.add(field);
                }
                JsonNode childSchema = resolve(schema.path("properties").path(e.getKey()));
                if (childSchema.isEmpty() && schema.path("additionalProperties").isObject()) {
                    childSchema = resolve(schema.path("additionalProperties"));
                }
                collect(childSchema, e.getValue(), child, fields, required);
            }
        } else if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                List<Object> child = new ArrayList<>(pointer);
                child.add(i);
                fields.add(new Field(child, name(child), value.get(i).isString(), value.get(i).isContainer()));
                collect(resolve(schema.path("items")), value.get(i), child, fields, required);
            }
        }
    }

    /** {@code spec.ports[0].containerPort}: how problems name a field. */
    private static String name(List<Object> pointer) {
        StringBuilder s = new StringBuilder();
        for (Object step : pointer) {
            if (step instanceof Integer i) {
                s.append('[').append(i).append(']');
            } else {
                if (!s.isEmpty()) {
                    s.append('.');
                }
                s.append(step);
            }
        }
        return s.toString();
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
