package io.gantry.health;

import io.gantry.cluster.ReplicaId;
import io.gantry.engine.Engine;
import io.gantry.engine.EngineStatus;
import io.gantry.engine.EngineStore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

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

    /** UP when the store answers (engines are reported, not required); else 503 with status DOWN. */
    @GetMapping("/api/v1/health")
    ResponseEntity<Health> health() {
        Map<String, EngineStatus> statuses = new LinkedHashMap<>();
        try {
            for (Engine e : engines.findAll()) {
                statuses.put(e.name(), e.status());
            }
        } catch (DataAccessException storeDown) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(new Health("DOWN", replica.value(), statuses));
        }
        return ResponseEntity.ok(new Health("UP", replica.value(), statuses));
    }
}
