-- Several Gantry replicas on one database (issue 9).

-- Every live replica beats here; the live ones share the engines among them.
CREATE TABLE replicas (
    id           text PRIMARY KEY,
    heartbeat_at timestamptz NOT NULL
);

-- Which replica syncs an engine, until when. The token grows with every acquisition (from the
-- sequence), so a write carrying an older token is told apart from the current owner's and refused.
CREATE SEQUENCE engine_lease_tokens;
CREATE TABLE engine_leases (
    engine_id  uuid PRIMARY KEY REFERENCES engines (id) ON DELETE CASCADE,
    owner      text        NOT NULL,
    token      bigint      NOT NULL,
    expires_at timestamptz NOT NULL
);

-- A live update too large for a NOTIFY payload (8000 bytes): the notification names its id here.
-- Rows older than a minute are deleted as new ones come.
CREATE TABLE live_events (
    id         bigserial PRIMARY KEY,
    message    jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Spring Session JDBC's tables (its schema-postgresql.sql): UI sessions shared by every replica.
-- Created here rather than by Spring Session, so that Flyway alone owns the schema.
CREATE TABLE spring_session (
    primary_id            char(36)     NOT NULL,
    session_id            char(36)     NOT NULL,
    creation_time         bigint       NOT NULL,
    last_access_time      bigint       NOT NULL,
    max_inactive_interval int          NOT NULL,
    expiry_time           bigint       NOT NULL,
    principal_name        varchar(100),
    CONSTRAINT spring_session_pk PRIMARY KEY (primary_id)
);
CREATE UNIQUE INDEX spring_session_ix1 ON spring_session (session_id);
CREATE INDEX spring_session_ix2 ON spring_session (expiry_time);
CREATE INDEX spring_session_ix3 ON spring_session (principal_name);

CREATE TABLE spring_session_attributes (
    session_primary_id char(36)     NOT NULL,
    attribute_name     varchar(200) NOT NULL,
    attribute_bytes    bytea        NOT NULL,
    CONSTRAINT spring_session_attributes_pk PRIMARY KEY (session_primary_id, attribute_name),
    CONSTRAINT spring_session_attributes_fk FOREIGN KEY (session_primary_id)
        REFERENCES spring_session (primary_id) ON DELETE CASCADE
);

-- The replica that accepted an operation, then the one that claimed and runs it: an operation whose
-- executor is no longer alive is FAILED (never run again); NULL for operations of earlier versions.
ALTER TABLE operations ADD COLUMN executor text;
