package io.gantry.spi;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.AnchorNode;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads a YAML or JSON document from a user into plain Java values, under a budget checked while the
 * values are built: every {@link ManifestFormat} and the kubeconfig reader go through it.
 *
 * <p>Why a budget and not only SnakeYAML's alias limit: 23 anchors that each list two aliases of the
 * previous one use 46 aliases (under the limit of 50) and expand to 2^23 values; SnakeYAML shares the
 * aliased objects, so the document loads small, and the first walk over it (a conversion, a
 * {@code String.valueOf}) expands it into gigabytes. Here the YAML is only composed (aliases stay
 * references to one node, so that step stays as small as the text), and the values are then built
 * from the node graph counting every value and every character, an alias at each use: the bomb is
 * refused after {@link Budget#maxNodes()} values instead of being expanded.
 *
 * <p>The values: {@code Map<String, Object>} (a {@link LinkedHashMap} in document order; YAML keys as
 * written), {@code List<Object>}, {@code String}, {@code Integer}/{@code Long}/{@code BigInteger},
 * {@code Double}, {@code Boolean} and {@code null}. YAML scalars resolve as SnakeYAML's safe loader
 * resolves them (YAML 1.1: {@code yes} is true), except timestamps and binaries, which stay the text
 * they were written as. Merge keys ({@code <<: *defaults}) are applied.
 *
 * <p>Every refusal is an {@link InvalidSpecException}: the whole document's problems (syntax, budget,
 * size) on the document field given to the constructor, a misplaced value (duplicate key, unknown tag)
 * on its path. Messages never quote the document's values. One reader reads one document at a time;
 * {@link #nodes()} and {@link #textChars()} then tell what the last read built.
 */
public final class ManifestReader {
    /**
     * @param maxNodes     values a document may expand to, every alias use counted
     * @param maxTextChars characters of keys and scalars a document may expand to, every alias use counted
     * @param maxDepth     nesting of maps and lists
     */
    public record Budget(long maxNodes, long maxTextChars, int maxDepth) {
        public static final Budget DEFAULT = new Budget(ManifestLimits.MAX_NODES, ManifestLimits.MAX_TEXT_CHARS,
                ManifestLimits.MAX_NESTING);
    }

    private final Budget budget;
    private final String documentField;
    private final Scalars scalars = new Scalars();
    private long nodes;
    private long textChars;

    /** The default budget, whole-document errors on the field {@code manifest}. */
    public ManifestReader() {
        this(Budget.DEFAULT, "manifest");
    }

    /** @param documentField the field whole-document errors name, e.g. {@code credentials.kubeconfig} */
    public ManifestReader(String documentField) {
        this(Budget.DEFAULT, documentField);
    }

    public ManifestReader(Budget budget, String documentField) {
        this.budget = budget;
        this.documentField = documentField;
    }

    /**
     * Every document of a YAML stream ({@code ---} separated); JSON without tab indentation is YAML too.
     * The budget covers the whole stream. Paths in errors start with {@code documents[i]} when the
     * stream has more than one document.
     *
     * @return one value per document, {@code null} for an empty one; empty for an empty text
     * @throws InvalidSpecException when the text is not YAML or exceeds the budget
     */
    public List<Object> readYaml(String document) {
        String text = start(document);
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(ManifestLimits.MAX_ALIASES);
        options.setCodePointLimit(ManifestLimits.MAX_CODE_POINTS);
        options.setNestingDepthLimit(budget.maxDepth());
        List<Node> roots = new ArrayList<>();
        try {
            // composing keeps an alias as a reference to its anchor's node: bounded by the text's size
            new Yaml(new SafeConstructor(options)).composeAll(new StringReader(text)).forEach(roots::add);
        } catch (YAMLException e) {
            throw whole("not valid YAML: " + describe(e));
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < roots.size(); i++) {
            out.add(yaml(roots.get(i), roots.size() == 1 ? At.ROOT : At.ROOT.key("documents").index(i), 0));
        }
        return out;
    }

    /**
     * One JSON value, strictly JSON (no comments, no trailing commas, no second value).
     *
     * @return the value; {@code null} for an empty text or a JSON {@code null}
     * @throws InvalidSpecException when the text is not JSON or exceeds the budget
     */
    public Object readJson(String document) {
        String text = start(document);
        JsonFactory factory = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxDocumentLength(ManifestLimits.MAX_CODE_POINTS).maxNestingDepth(budget.maxDepth() + 1).build()).build();
        try (JsonParser parser = factory.createParser(ObjectReadContext.empty(), text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return null;
            }
            Object value = json(parser, first, At.ROOT, 0);
            if (parser.nextToken() != null) {
                throw whole("not valid JSON: more than one value" + at(parser.currentTokenLocation()));
            }
            return value;
        } catch (JacksonException e) {
            throw whole("not valid JSON: " + e.getOriginalMessage() + at(e.getLocation()));
        }
    }

    /** Values the last read built (counted up to the first one past the budget). */
    public long nodes() {
        return nodes;
    }

    /** Characters of keys and scalars the last read built. */
    public long textChars() {
        return textChars;
    }

    private String start(String document) {
        nodes = 0;
        textChars = 0;
        String text = document == null ? "" : document;
        if (text.length() > ManifestLimits.MAX_CODE_POINTS) {
            throw whole("larger than " + ManifestLimits.MAX_CODE_POINTS + " characters");
        }
        return text;
    }

    private Object yaml(Node node, At at, int depth) {
        if (node instanceof AnchorNode anchor) {
            return yaml(anchor.getRealNode(), at, depth);
        }
        countNode();
        if (node instanceof ScalarNode scalar) {
            countText(scalar.getValue());
            return scalar(scalar, at);
        }
        enter(depth, at);
        if (node instanceof SequenceNode sequence && Tag.SEQ.equals(sequence.getTag())) {
            List<Object> list = new ArrayList<>(sequence.getValue().size());
            for (Node item : sequence.getValue()) {
                list.add(yaml(item, at.index(list.size()), depth + 1));
            }
            return list;
        }
        if (node instanceof MappingNode mapping && Tag.MAP.equals(mapping.getTag())) {
            return mapping(mapping, at, depth);
        }
        throw field(at, "the tag " + node.getTag() + " is not supported");
    }

    private Map<String, Object> mapping(MappingNode mapping, At at, int depth) {
        Map<String, Object> own = new LinkedHashMap<>();
        Map<String, Object> merged = new LinkedHashMap<>();
        for (NodeTuple entry : mapping.getValue()) {
            Node keyNode = real(entry.getKeyNode());
            if (Tag.MERGE.equals(keyNode.getTag())) {
                merge(real(entry.getValueNode()), at, depth, merged);
                continue;
            }
            if (!(keyNode instanceof ScalarNode scalarKey)) {
                throw field(at, "a key must be a plain value, not a map or a list");
            }
            String key = scalarKey.getValue();
            countText(key);
            if (own.containsKey(key)) {
                throw field(at.key(key), "duplicate key");
            }
            own.put(key, yaml(entry.getValueNode(), at.key(key), depth + 1));
        }
        if (merged.isEmpty()) {
            return own;
        }
        merged.putAll(own);
        return merged;
    }

    /** YAML's merge key: earlier maps win over later ones, the mapping's own keys over all of them. */
    private void merge(Node source, At at, int depth, Map<String, Object> into) {
        List<Node> maps = source instanceof SequenceNode list ? list.getValue() : List.of(source);
        for (Node map : maps) {
            if (!(yaml(real(map), at.key("<<"), depth + 1) instanceof Map<?, ?> values)) {
                throw field(at.key("<<"), "a merge key takes a map or a list of maps");
            }
            values.forEach((k, v) -> into.putIfAbsent((String) k, v));
        }
    }

    private Object scalar(ScalarNode scalar, At at) {
        Tag tag = scalar.getTag();
        if (Tag.STR.equals(tag) || Tag.TIMESTAMP.equals(tag) || Tag.BINARY.equals(tag) || Tag.MERGE.equals(tag)) {
            // timestamps stay as written: Kubernetes wants the RFC 3339 text, no other format has dates
            return scalar.getValue();
        }
        if (Tag.NULL.equals(tag)) {
            return null;
        }
        if (Tag.BOOL.equals(tag) || Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
            try {
                return scalars.construct(scalar);
            } catch (RuntimeException e) {
                throw field(at, "not a valid " + tag.getValue().substring(Tag.PREFIX.length()));
            }
        }
        throw field(at, "the tag " + tag + " is not supported");
    }

    private Object json(JsonParser parser, JsonToken token, At at, int depth) {
        countNode();
        switch (token) {
            case START_OBJECT -> {
                enter(depth, at);
                Map<String, Object> map = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                    String key = parser.currentName();
                    countText(key);
                    if (map.containsKey(key)) {
                        throw field(at.key(key), "duplicate key");
                    }
                    map.put(key, json(parser, parser.nextToken(), at.key(key), depth + 1));
                }
                return map;
            }
            case START_ARRAY -> {
                enter(depth, at);
                List<Object> list = new ArrayList<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    list.add(json(parser, t, at.index(list.size()), depth + 1));
                }
                return list;
            }
            case VALUE_STRING -> {
                String s = parser.getString();
                countText(s);
                return s;
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return parser.getNumberValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw whole("not valid JSON: unexpected " + token + at(parser.currentTokenLocation()));
        }
    }

    private void countNode() {
        if (++nodes > budget.maxNodes()) {
            throw whole("the document expands to more than " + budget.maxNodes()
                    + " nodes, over the parse budget (every use of a YAML alias counts)");
        }
    }

    private void countText(String text) {
        textChars += text.length();
        if (textChars > budget.maxTextChars()) {
            throw whole("the document expands to more than " + budget.maxTextChars()
                    + " characters of text, over the parse budget (every use of a YAML alias counts)");
        }
    }

    /** A map or list at {@code depth} maps and lists deep; a YAML alias to its own ancestor ends here too. */
    private void enter(int depth, At at) {
        if (depth >= budget.maxDepth()) {
            throw whole("the document nests deeper than " + budget.maxDepth() + " maps and lists, over the parse budget (at "
                    + (at == At.ROOT ? "the top" : at) + ")");
        }
    }

    private static Node real(Node node) {
        return node instanceof AnchorNode anchor ? anchor.getRealNode() : node;
    }

    private InvalidSpecException whole(String message) {
        return InvalidSpecException.of(documentField, message);
    }

    private InvalidSpecException field(At at, String message) {
        return InvalidSpecException.of(at == At.ROOT ? documentField : at.toString(), message);
    }

    /** SnakeYAML's problem and position, without its excerpt of the document (which may hold a secret). */
    private static String describe(YAMLException e) {
        if (e instanceof MarkedYAMLException marked) {
            String problem = marked.getProblem() != null ? marked.getProblem() : marked.getContext();
            Mark mark = marked.getProblemMark() != null ? marked.getProblemMark() : marked.getContextMark();
            return problem + (mark == null ? "" : " (line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ")");
        }
        String m = e.getMessage() == null ? "unreadable" : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static String at(TokenStreamLocation location) {
        return location == null ? "" : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    /** Where a value is, as the formats name fields: {@code documents[1].spec.replicas}, {@code ports[0]}. */
    private record At(At parent, String segment) {
        static final At ROOT = new At(null, "");

        At key(String key) {
            return new At(this, key);
        }

        At index(int i) {
            return new At(this, "[" + i + "]");
        }

        @Override
        public String toString() {
            if (parent == null) {
                return "";
            }
            String before = parent.toString();
            return before.isEmpty() || segment.startsWith("[") ? before + segment : before + "." + segment;
        }
    }

    /** SnakeYAML's own constructors for booleans and numbers (octal, hex, 1_000, .inf...), nothing else. */
    private static final class Scalars extends SafeConstructor {
        Scalars() {
            super(new LoaderOptions());
        }

        Object construct(ScalarNode node) {
            return yamlConstructors.get(node.getTag()).construct(node);
        }
    }
}
