-- Sign-in with the company's identity provider (OIDC, issue 19). A person known to a provider by (issuer, subject)
-- is one Gantry user, created at their first sign-in. The user keeps an ordinary row in users: sessions, tokens,
-- roles and the audit trail work as for anyone. Their password_hash is the bcrypt of 48 random bytes that were never
-- stored (so it can never match) rather than NULL: every reader of the column, and Spring Security's password check,
-- stays as it is, and an ADMIN may still give such a user a password on purpose.
CREATE TABLE oidc_identities (
    issuer          VARCHAR(512) NOT NULL,
    subject         VARCHAR(255) NOT NULL,
    username        VARCHAR(64)  NOT NULL UNIQUE REFERENCES users (username) ON DELETE CASCADE,
    provider        VARCHAR(64)  NOT NULL,
    created_at      TIMESTAMPTZ  NOT NULL,
    last_sign_in_at TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (issuer, subject)
);

-- The groups the provider named at the user's last sign-in: teams map an OIDC group to their members.
CREATE TABLE user_groups (
    username   VARCHAR(64)  NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    group_name VARCHAR(255) NOT NULL,
    PRIMARY KEY (username, group_name)
);

-- An ADMIN may turn password sign-in off (form and POST /api/v1/auth/token) once a provider is configured;
-- API tokens, the bootstrap token included, keep working as the way back in.
ALTER TABLE security_settings ADD COLUMN password_login BOOLEAN NOT NULL DEFAULT TRUE;
