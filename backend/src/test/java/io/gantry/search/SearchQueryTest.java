package io.gantry.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.web.BadRequestException;
import org.junit.jupiter.api.Test;

class SearchQueryTest {
    @Test
    void qIsRequiredTrimmedAndBounded() {
        for (String q : new String[] {null, "", "   "}) {
            assertThatThrownBy(() -> SearchQuery.of(q, null)).isInstanceOf(BadRequestException.class)
                    .hasMessageContaining("q:");
        }
        assertThatThrownBy(() -> SearchQuery.of("x".repeat(201), null)).hasMessageContaining("q:");
        assertThat(SearchQuery.of("  web  ", null)).isEqualTo(new SearchQuery("web", SearchQuery.DEFAULT_LIMIT));
    }

    @Test
    void limitIsBetweenOneAndFifty() {
        assertThatThrownBy(() -> SearchQuery.of("web", 0)).hasMessageContaining("limit:");
        assertThatThrownBy(() -> SearchQuery.of("web", 51)).hasMessageContaining("limit:");
        assertThat(SearchQuery.of("web", 50).limit()).isEqualTo(50);
    }

    @Test
    void likeCharactersMatchThemselvesAndShortTextMatchesNoParts() {
        assertThat(SearchQuery.of("100%_A\\b", null).likeLiteral()).isEqualTo("100\\%\\_a\\\\b");
        assertThat(SearchQuery.of("ab", null).partsAllowed()).isFalse();
        assertThat(SearchQuery.of("abc", null).partsAllowed()).isTrue();
    }

    @Test
    void namesRankExactThenPrefixThenPart() {
        assertThat(Hit.byName("Workloads", "workloads")).isEqualTo(Hit.EXACT);
        assertThat(Hit.byName("Workloads", "WORK")).isEqualTo(Hit.PREFIX);
        assertThat(Hit.byName("Workloads", "load")).isEqualTo(Hit.CONTAINS);
        assertThat(Hit.byName("Workloads", "engine")).isEqualTo(-1);
    }
}
