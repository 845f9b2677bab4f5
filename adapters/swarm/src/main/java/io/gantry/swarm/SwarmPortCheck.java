package io.gantry.swarm;

import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.PortMapping;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.json.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Published ports another service holds, asked of the engine before a deploy or update. */
final class SwarmPortCheck {
    private SwarmPortCheck() {
    }

    /**
     * Swarm refuses a published port that another service publishes (in ingress mode it is taken on every
     * node), and a host-mode port taken on every node leaves the task pending: both are refused here, naming
     * the service that holds the port.
     */
    static void check(DockerApi api, WorkloadSpec spec, String exceptServiceId) {
        if (spec == null || spec.ports().stream().allMatch(p -> p.publishedPort() == null)) {
            return;
        }
        Map<String, String> holders = new HashMap<>();
        for (JsonNode service : api.get("/services")) {
            if (exceptServiceId != null && exceptServiceId.equals(SwarmServiceReader.serviceId(service))) {
                continue;
            }
            String name = Json.text(service.path("Spec"), "Name", SwarmServiceReader.serviceId(service));
            for (JsonNode ports : List.of(service.path("Endpoint").path("Ports"), service.path("Spec").path("EndpointSpec").path("Ports"))) {
                for (JsonNode port : ports) {
                    if (port.path("PublishedPort").asInt(0) > 0) {
                        holders.put(port.path("PublishedPort").asInt() + "/" + Json.text(port, "Protocol", "tcp"), name);
                    }
                }
            }
        }
        List<InvalidSpecException.FieldError> errors = new ArrayList<>();
        for (int i = 0; i < spec.ports().size(); i++) {
            PortMapping port = spec.ports().get(i);
            String holder = port.publishedPort() == null ? null : holders.get(port.publishedPort() + "/" + port.protocol());
            if (holder != null) {
                errors.add(new InvalidSpecException.FieldError("spec.ports[" + i + "].publishedPort", "port "
                        + port.publishedPort() + "/" + port.protocol() + " is already published by service '" + holder + "'"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors.get(0).field() + ": " + errors.get(0).message()
                    + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""), errors);
        }
    }
}
