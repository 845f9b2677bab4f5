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
