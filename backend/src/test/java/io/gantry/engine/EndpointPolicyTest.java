package io.gantry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointPolicyTest {
    private static final List<String> DEFAULTS = List.of("169.254.0.0/16", "fd00:ec2::/32", "fe80::/10");
    private final EndpointPolicy policy = new EndpointPolicy(DEFAULTS);

    @Test
    void metadataAndLinkLocalAddressesAreRefusedInEveryForm() {
        assertThat(policy.refusal(List.of(URI.create("http://169.254.169.254/latest/meta-data"))))
                .hasValue("169.254.169.254 resolves to 169.254.169.254 (denied by gantry.engine-endpoints.deny-addresses)");
        assertThat(policy.refusal(List.of(URI.create("https://[fd00:ec2::254]:443")))).isPresent();
        assertThat(policy.refusal(List.of(URI.create("grpc://[fe80::1]:7443")))).isPresent();
        // an IPv4-mapped IPv6 literal is the IPv4 address
        assertThat(policy.refusal(List.of(URI.create("http://[::ffff:169.254.169.254]:80")))).isPresent();
        // every destination counts, not only the first
        assertThat(policy.refusal(List.of(URI.create("http://127.0.0.1:8080"), URI.create("http://169.254.1.1:5050"))))
                .get().asString().startsWith("169.254.1.1 resolves to 169.254.1.1");
    }

    @Test
    void loopbackPrivateAndUnresolvableHostsPass() {
        assertThat(policy.refusal(List.of(URI.create("http://127.0.0.1:8080"), URI.create("https://[::1]:6443"),
                URI.create("tcp://10.0.0.5:2376"), URI.create("https://localhost:6443"),
                URI.create("https://no-such-host.invalid:6443")))).isEmpty();
        assertThat(policy.refusal(List.of())).isEmpty();
    }

    @Test
    void theListIsTheOperatorsAndMustBeAddresses() {
        EndpointPolicy nothing = new EndpointPolicy(List.of());
        assertThat(nothing.refusal(List.of(URI.create("http://169.254.169.254")))).isEmpty();
        EndpointPolicy loopbackToo = new EndpointPolicy(List.of("127.0.0.0/8", "10.1.2.3"));
        assertThat(loopbackToo.refusal(List.of(URI.create("http://127.0.0.2:80")))).isPresent();
        assertThat(loopbackToo.refusal(List.of(URI.create("http://10.1.2.3:80")))).isPresent();
        assertThat(loopbackToo.refusal(List.of(URI.create("http://10.1.2.4:80")))).isEmpty();

        assertThatThrownBy(() -> new EndpointPolicy(List.of("metadata.internal/32")))
                .hasMessageContaining("gantry.engine-endpoints.deny-addresses");
        assertThatThrownBy(() -> new EndpointPolicy(List.of("10.0.0.0/33"))).hasMessageContaining("out of range");
    }
}
