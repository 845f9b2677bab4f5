package io.gantry.security;

import io.gantry.web.ConflictException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;

/**
 * First start: creates the administrator {@code admin} when there is no user at all, and the
 * bootstrap API token when {@code GANTRY_BOOTSTRAP_TOKEN} is set. Runs before the web server
 * accepts requests; harmless on every later start. Gantry never ships a default password: without
 * {@code GANTRY_ADMIN_PASSWORD} a random one is generated and shown once.
 */
@Component
class SecurityBootstrap implements SmartInitializingSingleton {
    static final String ADMIN = "admin";
    private static final int MIN_BOOTSTRAP_TOKEN_LENGTH = 16;
    private static final Logger log = LoggerFactory.getLogger(SecurityBootstrap.class);

    private final UserAccounts users;
    private final ApiTokens tokens;
    private final String adminPassword;
    private final String bootstrapToken;

    SecurityBootstrap(UserAccounts users, ApiTokens tokens,
            @Value("${gantry.admin-password:}") String adminPassword,
            @Value("${gantry.bootstrap-token:}") String bootstrapToken) {
        this.users = users;
        this.tokens = tokens;
        this.adminPassword = adminPassword;
        this.bootstrapToken = bootstrapToken;
        if (!bootstrapToken.isBlank() && bootstrapToken.length() < MIN_BOOTSTRAP_TOKEN_LENGTH) {
            throw new IllegalStateException("GANTRY_BOOTSTRAP_TOKEN must be at least " + MIN_BOOTSTRAP_TOKEN_LENGTH
                    + " characters long: it is an administrator's credential");
        }
    }

    @Override
    public void afterSingletonsInstantiated() {
        createFirstAdmin();
        if (!bootstrapToken.isBlank()) {
            createBootstrapToken();
        }
    }

    private void createFirstAdmin() {
        if (users.any()) {
            return;
        }
        boolean generated = adminPassword.isBlank();
        String password = generated ? TokenSecrets.randomText(15) : adminPassword;
        try {
            users.create(ADMIN, password, Role.ADMIN);
        } catch (DataIntegrityViolationException | ConflictException e) {
            // Another replica starting against the same database created it first.
            log.info("The first administrator was created concurrently by another replica");
            return;
        }
        if (generated) {
            log.warn("Created the first administrator '{}' with the generated password: {}  "
                    + "This password is shown only this once: sign in and change it (PUT /api/v1/auth/password), or set "
                    + "GANTRY_ADMIN_PASSWORD before the first start next time.", ADMIN, password);
        } else {
            log.info("Created the first administrator '{}' with the password from GANTRY_ADMIN_PASSWORD", ADMIN);
        }
    }

    private void createBootstrapToken() {
        try {
            if (!users.exists(ADMIN)) {
                log.warn("GANTRY_BOOTSTRAP_TOKEN is set but there is no user '{}' to own it; no token created", ADMIN);
            } else if (tokens.ensureBootstrapToken(ADMIN, bootstrapToken)) {
                log.info("Created the bootstrap API token (from GANTRY_BOOTSTRAP_TOKEN) for '{}'", ADMIN);
            }
        } catch (DataIntegrityViolationException e) {
            log.info("The bootstrap API token was created concurrently by another replica");
        }
    }
}
