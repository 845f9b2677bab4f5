package io.gantry.testing.oidc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The provider's configuration file (JSON):
 * <pre>
 * {"issuer": "http://127.0.0.1:9000",
 *  "client": {"id": "gantry", "secret": "s3cret", "redirectUris": ["http://localhost:8080/login/oauth2/code/idp"]},
 *  "users": [{"username": "alice", "password": "pw", "email": "alice@example.com", "groups": ["ops"]}]}
 * </pre>
 * The issuer and the client are read once at start; the users at every sign-in, so that a test may change a user's
 * groups (or add a user) by rewriting the file while the provider runs.
 */
public record ProviderConfig(String issuer, Client client, List<User> users) {
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    public record Client(String id, String secret, List<String> redirectUris) {
    }

    public record User(String username, String password, String email, List<String> groups) {
        public List<String> groups() {
            return groups == null ? List.of() : groups;
        }
    }

    public static ProviderConfig read(Path file) {
        try {
            return JSON.readValue(Files.readString(file), ProviderConfig.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the provider configuration " + file, e);
        }
    }

    public Optional<User> user(String username) {
        return users == null ? Optional.empty() : users.stream().filter(u -> u.username().equals(username)).findFirst();
    }
}
