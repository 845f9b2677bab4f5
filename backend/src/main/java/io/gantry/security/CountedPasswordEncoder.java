package io.gantry.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * The password hash (BCrypt) with a count of the passwords checked against it,
 * {@code gantry.security.password.checks}: each costs tens of milliseconds of CPU, so a rising count
 * without sign-ins to match is someone guessing, and the count shows what the login throttle let through.
 */
class CountedPasswordEncoder implements PasswordEncoder {
    static final String CHECKS = "gantry.security.password.checks";

    private final PasswordEncoder hash;
    private final Counter checks;

    CountedPasswordEncoder(PasswordEncoder hash, MeterRegistry registry) {
        this.hash = hash;
        this.checks = Counter.builder(CHECKS).description("Passwords checked against their slow hash")
                .register(registry);
    }

    @Override
    public String encode(CharSequence rawPassword) {
        return hash.encode(rawPassword);
    }

    @Override
    public boolean matches(CharSequence rawPassword, String encodedPassword) {
        checks.increment();
        return hash.matches(rawPassword, encodedPassword);
    }

    @Override
    public boolean upgradeEncoding(String encodedPassword) {
        return hash.upgradeEncoding(encodedPassword);
    }
}
