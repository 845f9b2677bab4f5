package io.gantry.health;

import io.gantry.cluster.ReplicaId;
import io.gantry.engine.Engine;
import io.gantry.engine.EngineStatus;
import io.gantry.engine.EngineStore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/health}: the server answers (and reaches its store); engines are reported, not required. */
@RestController
class HealthApiController {
    private final EngineStore engines;
    private final ReplicaId replica;

    HealthApiController(EngineStore engines, ReplicaId replica) {
        this.engines = engines;
        this.replica = replica;
    }

    record Health(String status, String replica, Map<String, EngineStatus> engines) {
    }

    @GetMapping("/api/v1/health")
    Health health() {
        Map<String, EngineStatus> statuses = new LinkedHashMap<>();
        for (Engine e : engines.findAll()) {
            statuses.put(e.name(), e.status());
        }
        return new Health("UP", replica.value(), statuses);
    }
}
