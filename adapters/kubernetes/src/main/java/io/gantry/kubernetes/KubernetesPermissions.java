package io.gantry.kubernetes;

import io.kubernetes.client.openapi.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the credentials may not read, for {@code ping}: at most once a minute, a one-item list of every resource
 * Gantry reads for workloads, and of nodes. Secrets and ConfigMaps are not asked (a list of one Secret would bring its
 * value): without them workloads run as before, and the client leaves SECRETS/CONFIGS out of its capabilities once
 * its informers found them unreadable. Thread-safe.
 */
final class KubernetesPermissions {
    private static final Duration RECHECK = Duration.ofSeconds(60);

    private final KubernetesSettings settings;
    private final KubernetesApi api;
    private final Clock clock;
    private volatile Check last;

    private record Check(Instant at, List<String> missing) {
    }

    KubernetesPermissions(KubernetesSettings settings, KubernetesApi api, Clock clock) {
        this.settings = settings;
        this.api = api;
        this.clock = clock;
    }

    /** The missing permissions, each as a sentence; empty when all are there. */
    List<String> missing() {
        Check check = last;
        if (check == null || Duration.between(check.at(), clock.instant()).compareTo(RECHECK) > 0) {
            check = new Check(clock.instant(), ask());
            last = check;
        }
        return check.missing();
    }

    private List<String> ask() {
        List<String> missing = new ArrayList<>();
        for (String scope : settings.scopes()) {
            for (ResourceType type : ResourceType.values()) {
                if (type.isConfig()) {
                    continue;
                }
                try {
                    api.list(type, scope, 1);
                } catch (ApiException e) {
                    missing.add(KubernetesErrors.unreadable(e, type.rbacName(), scope));
                }
            }
        }
        try {
            api.nodes(1);
        } catch (ApiException e) {
            missing.add(KubernetesErrors.unreadable(e, "nodes", null).replace(" in all namespaces", ""));
        }
        return missing;
    }
}
