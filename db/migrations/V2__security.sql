-- Users, API tokens and the audit trail (issue 2, item 6: security).

CREATE TABLE users (
    username      VARCHAR(64)  PRIMARY KEY,
    -- BCrypt hash; the password itself is never stored nor returned.
    password_hash VARCHAR(100) NOT NULL,
    role          VARCHAR(16)  NOT NULL CHECK (role IN ('VIEWER', 'OPERATOR', 'ADMIN')),
    disabled      BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ  NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
    id           UUID         PRIMARY KEY,
    -- A token dies with its user: deleting a user must not leave a working token behind.
    username     VARCHAR(64)  NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    name         VARCHAR(100) NOT NULL,
    role         VARCHAR(16)  NOT NULL CHECK (role IN ('VIEWER', 'OPERATOR', 'ADMIN')),
    -- Hex SHA-256 of the secret. Tokens are long random strings, so a fast hash is enough
    -- and lets a request find its token by an index lookup.
    token_hash   VARCHAR(64)  NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);

CREATE INDEX api_tokens_username ON api_tokens (username);

-- Append-only record of every mutation. No foreign key to users: the trail outlives them.
CREATE TABLE audit_log (
    id             BIGSERIAL    PRIMARY KEY,
    time           TIMESTAMPTZ  NOT NULL,
    username       VARCHAR(64)  NOT NULL,
    -- HTTP method + route pattern, e.g. "POST /api/v1/workloads/{id}/scale".
    action         VARCHAR(300) NOT NULL,
    target         VARCHAR(300),
    status         INTEGER      NOT NULL,
    -- JSON: the request's fields with secrets redacted, and where a redirect sent the browser.
    detail         TEXT,
    remote_address VARCHAR(64)
);

CREATE INDEX audit_log_username ON audit_log (username, id);
