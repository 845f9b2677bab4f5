package io.gantry.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ProblemWriterTest {
    private final JsonMapper json = JsonMapper.builder().build();
    private final ProblemWriter writer = new ProblemWriter(json);

    @Test
    void writesTheTypesStatusTitleDetailAndErrorsAsProblemJson() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();

        writer.write(response, ProblemType.INVALID_REQUEST.problem("limit: must be between 1 and 500",
                List.of(new FieldProblem("limit", "must be between 1 and 500"))));

        assertThat(response.getStatus()).isEqualTo(400);
        assertThat(response.getContentType()).startsWith("application/problem+json");
        JsonNode body = json.readTree(response.getContentAsString());
        assertThat(body.get("type").asString()).isEqualTo("https://gantry.io/problems/invalid-request");
        assertThat(body.get("title").asString()).isEqualTo("Invalid request");
        assertThat(body.get("status").asInt()).isEqualTo(400);
        assertThat(body.get("detail").asString()).isEqualTo("limit: must be between 1 and 500");
        assertThat(body.get("errors").get(0).get("field").asString()).isEqualTo("limit");
        assertThat(body.get("errors").get(0).get("message").asString()).isEqualTo("must be between 1 and 500");
    }

    @Test
    void aStatusRefusedBeforeAnyEndpointKeepsItsStatusAsType() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();

        writer.write(response, ProblemType.forStatus(HttpStatus.METHOD_NOT_ALLOWED, "it takes GET"));

        JsonNode body = json.readTree(response.getContentAsString());
        assertThat(body.get("type").asString()).isEqualTo("https://gantry.io/problems/http-405");
        assertThat(body.get("title").asString()).isEqualTo("Method Not Allowed");
        assertThat(body.has("errors")).isFalse();
    }

    @Test
    void atMostAHundredErrorsAreListed() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        List<FieldProblem> many = IntStream.range(0, 150)
                .mapToObj(i -> new FieldProblem("items[" + i + "]", "is not valid here")).toList();

        writer.write(response, new BadRequestException(many).problem());

        assertThat(json.readTree(response.getContentAsString()).get("errors").size()).isEqualTo(ProblemType.MAX_ERRORS);
    }

    @Test
    void aResponseAlreadyCommittedIsLeftAlone() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        response.getWriter().write("data: x\n");
        response.setCommitted(true);

        writer.write(response, ProblemType.CONFLICT.problem("raced"));

        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getContentAsString()).isEqualTo("data: x\n");
    }
}
