package io.gantry.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.mock.web.MockHttpServletRequest;

class MalformedRequestFilterTest {

    @Test
    void namesTheFirstParameterThatCannotBeDecoded() {
        assertThat(MalformedRequestFilter.undecodableIn("limit=5&cursor=%00%ff", false)).isEqualTo("cursor");
        assertThat(MalformedRequestFilter.undecodableIn("a=1&b=%c3%28", true)).isEqualTo("b");
        assertThat(MalformedRequestFilter.undecodableIn("x=%", false)).isEqualTo("x");
        assertThat(MalformedRequestFilter.undecodableIn("x=%zz", false)).isEqualTo("x");
        assertThat(MalformedRequestFilter.undecodableIn("%ff=1", false)).isEqualTo("query");
        assertThat(MalformedRequestFilter.undecodableIn("&&&==&", false)).isEqualTo("query");
        assertThat(MalformedRequestFilter.undecodableIn(null, true)).isEqualTo("body");
        assertThat(MalformedRequestFilter.undecodableIn("limit=5", true)).isEqualTo("body");
    }

    @Test
    void decodesValidUtf8AndRefusesTheRest() {
        assertThat(MalformedRequestFilter.decode("a+b%C3%A9%F0%9F%92%A9")).isEqualTo("a bé\uD83D\uDCA9");
        assertThat(MalformedRequestFilter.decode("%C0%AF")).isNull();
        assertThat(MalformedRequestFilter.decode("%E2%82")).isNull();
    }

    @Test
    void refusesNulInAParameterNamingIt() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/workloads");
        request.addParameter("engine", "a\0b");
        MalformedRequestFilter.Rejection r = MalformedRequestFilter.check(request);
        assertThat(r.status()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(r.errors()).extracting(FieldProblem::field).containsExactly("engine");
    }

    @Test
    void refusesAContentTypeSpringCannotUse() {
        for (String type : new String[] {"*/*", "application/*", "garbage", "application/json; charset=nonsense"}) {
            MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/workloads");
            request.setContentType(type);
            MalformedRequestFilter.Rejection r = MalformedRequestFilter.check(request);
            assertThat(r).as(type).isNotNull();
            assertThat(r.status()).as(type).isEqualTo(HttpStatus.UNSUPPORTED_MEDIA_TYPE);
            assertThat(r.errors()).extracting(FieldProblem::field).containsExactly("Content-Type");
        }
    }

    @Test
    void letsAnOrdinaryRequestThrough() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/workloads");
        request.setContentType("application/json; charset=UTF-8");
        request.addParameter("q", "web é");
        assertThat(MalformedRequestFilter.check(request)).isNull();
    }
}
