package io.gantry.marathon;

import io.gantry.spi.EngineAdapter;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Marathon (on Apache Mesos, or DC/OS) through its REST API v2 and event bus. See {@link MarathonSettings}
 * for the endpoint, credentials and options it reads, and {@link MarathonEngineClient} for how locked apps
 * and the {@code force} option behave.
 */
public final class MarathonEngineAdapter implements EngineAdapter {
    public static final String KIND = "marathon";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public void validate(EngineConnection connection) {
        MarathonSettings.from(connection);
    }

    /** Every Marathon, and the Mesos master of option {@code mesosUrl}: the credentials go to both. */
    @Override
    public List<URI> destinations(EngineConnection connection) {
        MarathonSettings settings = MarathonSettings.from(connection);
        List<URI> all = new ArrayList<>(settings.endpoints());
        if (settings.mesosUrl() != null) {
            all.add(settings.mesosUrl());
        }
        return List.copyOf(all);
    }

    @Override
    public EngineClient connect(EngineConnection connection) {
        return new MarathonEngineClient(MarathonSettings.from(connection));
    }
}
