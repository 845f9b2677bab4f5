package io.gantry.kubernetes;

import io.gantry.spi.EngineAdapter;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.kubernetes.client.informer.cache.ReflectorRunnable;
import java.net.URI;
import java.time.Clock;
import java.util.List;

/**
 * Kubernetes through the official client (client-java). How to register a cluster (kubeconfig,
 * in-cluster, or URL + token) and the options are described on {@link KubernetesSettings}.
 * Workloads are Deployments, StatefulSets, DaemonSets, ReplicaSets not owned by a Deployment,
 * Jobs not owned by a CronJob, and CronJobs; their native id is {@code namespace/Kind/name}.
 */
public final class KubernetesEngineAdapter implements EngineAdapter {
    public static final String KIND = "kubernetes";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public void validate(EngineConnection connection) {
        KubernetesSettings.validate(connection);
    }

    @Override
    public List<URI> destinations(EngineConnection connection) {
        return KubernetesSettings.destinations(connection);
    }

    @Override
    public EngineClient connect(EngineConnection connection) {
        KubernetesSettings settings = KubernetesSettings.validate(connection);
        // an informer's watch stays open up to the reflector's longest server-side timeout, plus slack for the close
        KubernetesApi api = KubernetesSettings.api(connection,
                ReflectorRunnable.REFLECTOR_WATCH_CLIENTSIDE_MAX_TIMEOUT.plus(connection.callTimeout()));
        return new KubernetesEngineClient(connection.name(), settings, api, Clock.systemUTC());
    }
}
