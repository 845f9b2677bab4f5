package io.gantry.support;

import io.gantry.spi.EngineAdapter;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.InvalidSpecException;
import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Adapter of kind {@code test}: endpoint {@code test://<name>} connects to the in-memory
 * {@link FakeEngine} of that name, which tests fill, break or hang at will.
 */
public class FakeEngineAdapter implements EngineAdapter {
    public static final String KIND = "test";
    private static final Pattern ENDPOINT = Pattern.compile("test://([a-z0-9-]+)");

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public void validate(EngineConnection connection) {
        if (connection.endpoint() == null || !ENDPOINT.matcher(connection.endpoint()).matches()) {
            throw InvalidSpecException.of("endpoint", "must look like test://<name>");
        }
    }

    /** In memory: nothing on the network to check. */
    @Override
    public List<URI> destinations(EngineConnection connection) {
        return List.of();
    }

    @Override
    public EngineClient connect(EngineConnection connection) {
        var m = ENDPOINT.matcher(connection.endpoint());
        if (!m.matches()) {
            throw InvalidSpecException.of("endpoint", "must look like test://<name>");
        }
        FakeEngine engine = FakeEngine.named(m.group(1));
        engine.connectedWith(connection);
        return engine.client();
    }
}
