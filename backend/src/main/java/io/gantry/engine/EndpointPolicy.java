package io.gantry.engine;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Where engine clients may connect: every address an engine's destinations resolve to is checked
 * against {@code gantry.engine-endpoints.deny-addresses} (CIDRs; by default the link-local ranges, where
 * cloud metadata services answer with the instance's own credentials). Checked when an engine is
 * registered, tested or changed, and again before every call to it, so a name that later resolves
 * there is caught too (within the JVM's DNS cache time, 30 s by default). Loopback stays allowed:
 * the embedded agent and tests live there. Unix sockets and in-cluster have no destination to check.
 */
@Component
class EndpointPolicy {
    static final String SETTING = "gantry.engine-endpoints.deny-addresses";

    private final List<Block> denied;

    EndpointPolicy(@Value("${" + SETTING + ":169.254.0.0/16,fd00:ec2::/32,fe80::/10}") List<String> deny) {
        this.denied = deny.stream().map(String::trim).filter(s -> !s.isEmpty()).map(Block::parse).toList();
    }

    /**
     * Why these destinations may not be reached, or empty when they may. A host that does not resolve
     * passes: the engine is then simply unreachable, and the check runs again at every call.
     *
     * @return e.g. {@code metadata.internal resolves to 169.254.169.254 (denied by gantry.engine-endpoints.deny-addresses)}
     */
    Optional<String> refusal(List<URI> destinations) {
        if (denied.isEmpty()) {
            return Optional.empty();
        }
        for (URI destination : destinations) {
            String host = host(destination);
            if (host == null) {
                continue;
            }
            InetAddress[] addresses;
            try {
                addresses = InetAddress.getAllByName(host);
            } catch (UnknownHostException unresolved) {
                continue;
            }
            for (InetAddress address : addresses) {
                if (denied.stream().anyMatch(b -> b.contains(address))) {
                    return Optional.of(host + " resolves to " + address.getHostAddress() + " (denied by " + SETTING + ")");
                }
            }
        }
        return Optional.empty();
    }

    /** The host of a URL; for names URI cannot parse as a host (an underscore...), the authority without user and port. */
    private static String host(URI uri) {
        if (uri.getHost() != null) {
            return uri.getHost();
        }
        String authority = uri.getRawAuthority();
        if (authority == null) {
            return null;
        }
        authority = authority.substring(authority.lastIndexOf('@') + 1);
        int colon = authority.lastIndexOf(':');
        return colon > 0 && !authority.endsWith("]") ? authority.substring(0, colon) : authority;
    }

    /** One CIDR block, IPv4 or IPv6. */
    record Block(byte[] network, int prefix) {
        static Block parse(String cidr) {
            int slash = cidr.indexOf('/');
            String address = slash < 0 ? cidr : cidr.substring(0, slash);
            if (!address.matches("[0-9A-Fa-f:.]+")) {
                // a host name would be looked up here: only literal addresses are blocks
                throw new IllegalArgumentException(SETTING + ": '" + cidr + "' is not an address or CIDR block");
            }
            try {
                byte[] bytes = InetAddress.getByName(address).getAddress();
                int prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
                if (prefix < 0 || prefix > bytes.length * 8) {
                    throw new IllegalArgumentException(SETTING + ": '" + cidr + "' has a prefix out of range");
                }
                return new Block(bytes, prefix);
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException(SETTING + ": '" + cidr + "' is not an address or CIDR block", e);
            }
        }

        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((bytes[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
