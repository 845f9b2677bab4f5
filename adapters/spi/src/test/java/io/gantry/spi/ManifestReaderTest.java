package io.gantry.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.InvalidSpecException.FieldError;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestReaderTest {

    private final ManifestReader reader = new ManifestReader();

    @Test
    void yamlBecomesPlainValuesAsTheSafeLoaderResolvesThem() {
        List<Object> docs = reader.readYaml("""
                name: shop
                replicas: 3
                big: 12345678901
                huge: 123456789012345678901234567890
                octal: 010
                cpus: 0.5
                debug: yes
                none: ~
                at: 2024-01-02T03:04:05Z
                80: port
                list: [a, "b"]
                ---
                ---
                second: true
                """);
        assertThat(docs).hasSize(3);
        @SuppressWarnings("unchecked")
        Map<String, Object> first = (Map<String, Object>) docs.get(0);
        assertThat(first.keySet()).containsExactly("name", "replicas", "big", "huge", "octal", "cpus", "debug", "none",
                "at", "80", "list");
        assertThat(first.values()).containsExactly("shop", 3, 12345678901L,
                new BigInteger("123456789012345678901234567890"), 8, 0.5, true, null, "2024-01-02T03:04:05Z", "port",
                List.of("a", "b"));
        assertThat(docs.get(1)).isNull();
        assertThat(docs.get(2)).isEqualTo(Map.of("second", true));
        assertThat(reader.readYaml("")).isEmpty();
    }

    @Test
    void mergeKeysApplyWithTheMappingsOwnKeysWinning() {
        Object doc = reader.readYaml("""
                base: &base {image: busybox, replicas: 1}
                more: &more {replicas: 5, mode: global}
                web:
                  <<: [*base, *more]
                  replicas: 2
                """).get(0);
        assertThat(((Map<?, ?>) doc).get("web")).isEqualTo(Map.of("image", "busybox", "replicas", 2, "mode", "global"));
    }

    @Test
    void jsonIsReadStrictlyWithTabsAndEscapedSlashes() {
        Object doc = reader.readJson("{\n\t\"id\": \"a\\/b\",\n\t\"n\": [1, 2.5, 1e3, 12345678901, true, null]\n}");
        assertThat(doc).isEqualTo(Map.of("id", "a/b", "n", java.util.Arrays.asList(1, 2.5, 1000.0, 12345678901L, true, null)));
        assertThat(reader.readJson("  ")).isNull();
        assertRefused(() -> reader.readJson("{\"id\": 1,}"), "manifest", "not valid JSON");
        assertRefused(() -> reader.readJson("{} {}"), "manifest", "more than one value");
        assertRefused(() -> reader.readJson("{\"spec\": {\"a\": 1, \"a\": 2}}"), "spec.a", "duplicate key");
    }

    @Test
    void misplacedValuesNameTheirPath() {
        assertRefused(() -> reader.readYaml("spec:\n  a: 1\n  a: 2\n"), "spec.a", "duplicate key");
        assertRefused(() -> reader.readYaml("a: 1\n---\nports: [!Ref x]\n"), "documents[1].ports[0]", "tag !Ref");
        assertRefused(() -> reader.readYaml("? [a]\n: 1\n"), "manifest", "plain value");
    }

    @Test
    void syntaxErrorsGiveThePositionButNeverQuoteTheDocument() {
        InvalidSpecException e = refusal(() -> new ManifestReader("credentials.kubeconfig")
                .readYaml("token: s3cr3t-value\n\tbad: indent\n"));
        assertThat(e.errors()).singleElement().satisfies(f -> {
            assertThat(f.field()).isEqualTo("credentials.kubeconfig");
            assertThat(f.message()).startsWith("not valid YAML:").contains("line 2").doesNotContain("s3cr3t");
        });
    }

    @Test
    void anAliasBombIsRefusedAtTheNodeBudgetWithoutBeingExpanded() {
        HostileDocuments.Refusal r = HostileDocuments.refusal(() -> reader.readYaml(HostileDocuments.aliasBomb()));

        assertThat(r.thrown()).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("more than " + ManifestLimits.MAX_NODES + " nodes")
                .hasMessageContaining("parse budget");
        assertThat(reader.nodes()).isEqualTo(ManifestLimits.MAX_NODES + 1);
        r.assertNotExpanded();
    }

    @Test
    void aliasedTextCountsAtEveryUse() {
        String yaml = "s: &s " + "x".repeat(200_000) + "\nl: [" + "*s, ".repeat(60) + "*s]\n";
        HostileDocuments.Refusal r = HostileDocuments.refusal(() -> reader.readYaml(yaml));
        assertThat(r.thrown()).hasMessageContaining("characters of text").hasMessageContaining("parse budget");
        assertThat(reader.textChars()).isGreaterThan(ManifestLimits.MAX_TEXT_CHARS);
        assertThat(reader.nodes()).isLessThan(100);
    }

    @Test
    void anAliasToItsOwnAncestorStopsAtTheDepthBudget() {
        assertRefused(() -> reader.readYaml("a: &a [x, *a]\n"), "manifest", "deeper than " + ManifestLimits.MAX_NESTING);
    }

    @Test
    void hugeOrDeepJsonIsRefusedByTheSameBudget() {
        HostileDocuments.Refusal wide = HostileDocuments.refusal(() -> reader.readJson(HostileDocuments.wideJson(150_000)));
        assertThat(wide.thrown()).hasMessageContaining("more than " + ManifestLimits.MAX_NODES + " nodes");
        assertThat(reader.nodes()).isEqualTo(ManifestLimits.MAX_NODES + 1);
        assertRefused(() -> reader.readJson(HostileDocuments.deepJson(10_000)), "manifest", "deeper than");
        assertRefused(() -> reader.readYaml(HostileDocuments.deepJson(10_000)), "manifest", "not valid YAML");
        assertThat(reader.readJson(HostileDocuments.deepJson(ManifestLimits.MAX_NESTING))).isNotNull();
    }

    @Test
    void aSmallerBudgetIsHonoured() {
        ManifestReader small = new ManifestReader(new ManifestReader.Budget(10, 1_000, 3), "doc");
        assertRefused(() -> small.readYaml("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"), "doc", "more than 10 nodes");
        assertRefused(() -> small.readJson("[[[[1]]]]"), "doc", "deeper than 3");
        assertThat(small.readJson("[[[1]]]")).isEqualTo(List.of(List.of(List.of(1))));
    }

    private static InvalidSpecException refusal(Runnable action) {
        RuntimeException thrown = HostileDocuments.refusal(action).thrown();
        assertThat(thrown).isInstanceOf(InvalidSpecException.class);
        return (InvalidSpecException) thrown;
    }

    private static void assertRefused(Runnable action, String field, String message) {
        assertThat(refusal(action).errors()).extracting(FieldError::field, FieldError::message)
                .singleElement().satisfies(t -> {
                    assertThat(t.toList().get(0)).isEqualTo(field);
                    assertThat((String) t.toList().get(1)).contains(message);
                });
    }
}
