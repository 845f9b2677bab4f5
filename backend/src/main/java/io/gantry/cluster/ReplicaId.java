package io.gantry.cluster;

import java.util.UUID;
import org.springframework.stereotype.Component;

/** This server process's replica id: random, stable for the life of the process. */
@Component
public class ReplicaId {
    private final String value = UUID.randomUUID().toString();

    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return value;
    }
}
