-- Teams and grants (issue 19): access scoped to engines and namespaces. A user's own role is their global role and
-- may be NONE: they then see and do only what grants give them. (V12 is the OIDC identities migration.)
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('NONE', 'VIEWER', 'OPERATOR', 'ADMIN'));
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('NONE', 'VIEWER', 'OPERATOR', 'ADMIN'));

CREATE TABLE teams (
    id          uuid        PRIMARY KEY,
    name        varchar(64) NOT NULL UNIQUE,
    -- members also come from the identity provider: whoever signed in with this group in their groups claim
    oidc_group  text,
    created_at  timestamptz NOT NULL
);

CREATE TABLE team_members (
    team_id  uuid        NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    username varchar(64) NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    PRIMARY KEY (team_id, username)
);
CREATE INDEX team_members_username ON team_members (username);

CREATE TABLE grants (
    id         uuid        PRIMARY KEY,
    -- exactly one of: a user, a team
    username   varchar(64) REFERENCES users (username) ON DELETE CASCADE,
    team_id    uuid        REFERENCES teams (id) ON DELETE CASCADE,
    role       varchar(16) NOT NULL CHECK (role IN ('VIEWER', 'OPERATOR', 'ADMIN')),
    -- an engine's name, or '*' for every engine: names, as people grant them and as workloads carry them
    -- (workloads.engine_name), so that a list is cut in its own query
    engine     varchar(64) NOT NULL,
    -- a glob over namespaces: '*' any run of characters, '?' one; '*' alone is every namespace
    namespace  varchar(256) NOT NULL DEFAULT '*',
    created_at timestamptz NOT NULL,
    created_by varchar(64) NOT NULL,
    CONSTRAINT grants_one_holder CHECK ((username IS NULL) <> (team_id IS NULL))
);
CREATE INDEX grants_username ON grants (username);
CREATE INDEX grants_team ON grants (team_id);
