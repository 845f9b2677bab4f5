-- Two-factor sign-in with TOTP (issue 19). A user has at most one authenticator: enrolling again replaces it.
CREATE TABLE user_totp (
    username     VARCHAR(64) PRIMARY KEY REFERENCES users (username) ON DELETE CASCADE,
    -- The shared secret, sealed with the server's secret key (AES-GCM) like engine credentials: sign-in must read
    -- it back, so it cannot be hashed; a database dump alone does not give it away.
    secret       BYTEA       NOT NULL,
    -- Null while enrolling: the secret counts only once a code made from it was typed back.
    confirmed_at TIMESTAMPTZ,
    -- The newest 30-second step whose code was accepted: a code is good once, and never an older one.
    last_step    BIGINT      NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL
);

-- One-time codes for a lost phone, made at enrolment; only their SHA-256 is kept.
CREATE TABLE totp_recovery_codes (
    username  VARCHAR(64) NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    code_hash VARCHAR(64) NOT NULL,
    used_at   TIMESTAMPTZ,
    PRIMARY KEY (username, code_hash)
);

-- Settings an ADMIN changes at run time (one row). Configuration files hold what needs a restart.
CREATE TABLE security_settings (
    id            SMALLINT    PRIMARY KEY CHECK (id = 1),
    totp_required BOOLEAN     NOT NULL DEFAULT FALSE,
    updated_at    TIMESTAMPTZ,
    updated_by    VARCHAR(64)
);
INSERT INTO security_settings (id) VALUES (1);
