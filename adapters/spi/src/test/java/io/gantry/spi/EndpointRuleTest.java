package io.gantry.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class EndpointRuleTest {
    private final EndpointRule http = EndpointRule.of("options.mesosUrl", "http://host:5050", "http", "https");

    @Test
    void acceptsAHostUrlAsGiven() {
        assertThat(http.check(" https://Mesos.example:5050/ ")).isEqualTo(URI.create("https://Mesos.example:5050/"));
        assertThat(http.check("HTTP://[fd00::5]").getPort()).isEqualTo(-1);
        assertThat(http.allowingPath().check("https://dcos.example/service/marathon").getPath())
                .isEqualTo("/service/marathon");
        EndpointRule docker = EndpointRule.of("endpoint", "tcp://host:2376", "tcp").withSocketSchemes("unix");
        assertThat(docker.check("unix:///var/run/docker.sock").getPath()).isEqualTo("/var/run/docker.sock");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                          | is required, e.g. http://host:5050",
            "ftp://host                  | must start with http:// or https://",
            "host:5050                   | must start with http:// or https://",
            "http://ho st                | is not a URL: Illegal character in authority at index 7",
            "http://                     | is not a URL: Expected authority at index 7",
            "http://:80                  | names no host, e.g. http://host:5050",
            "http://host:99999           | has a port outside 1..65535",
            "http://host/api             | must not have a path",
            "http://host?x=1             | must not have a query or fragment",
            "http://host#top             | must not have a query or fragment"})
    void refusesNamingTheField(String url, String message) {
        assertThatThrownBy(() -> http.check(url)).isInstanceOfSatisfying(InvalidSpecException.class, e -> {
            assertThat(e.errors()).singleElement().isEqualTo(new InvalidSpecException.FieldError("options.mesosUrl", message));
        });
    }

    @Test
    void aPasswordInTheUrlIsRefusedWithoutRepeatingIt() {
        assertThatThrownBy(() -> http.check("https://admin:hunter2@10.0.0.1:6443"))
                .hasMessage("options.mesosUrl: must not hold a user or password: give them as credentials");
        assertThatThrownBy(() -> http.check("ftp://admin:hunter2@10.0.0.1")).hasMessageNotContaining("hunter2");
    }

    @Test
    void aRequiredPortAndSocketFilesAreChecked() {
        EndpointRule grpc = EndpointRule.of("endpoint", "grpc://HOST:PORT", "grpc", "grpcs").requiringPort();
        assertThatThrownBy(() -> grpc.check("grpc://10.0.0.7")).hasMessage("endpoint: needs a port, e.g. grpc://HOST:PORT");
        EndpointRule docker = EndpointRule.of("endpoint", "tcp://host:2376", "tcp").withSocketSchemes("unix");
        assertThatThrownBy(() -> docker.check("unix://var/run/docker.sock"))
                .hasMessage("endpoint: must have three slashes: unix:///path/to/socket");
        assertThatThrownBy(() -> docker.check("unix:///")).hasMessage("endpoint: names no socket file, e.g. unix:///path/to/socket");
        assertThatThrownBy(() -> docker.check("udp://h")).hasMessage("endpoint: must start with unix:// or tcp://");
    }
}
