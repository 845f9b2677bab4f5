-- Console and command sessions in workload instances (issue 18): one row per exec, written when it starts and
-- completed when it ends, so that a session the server never saw end (a crash) is still on record. A replica
-- touches seen_at of its open sessions every minute; rows whose replica stopped touching them are ended by any
-- replica's sweep with end_reason 'server stopped'. Rows are history: they outlive their workload.
CREATE TABLE exec_sessions (
    id           uuid        PRIMARY KEY,
    username     text        NOT NULL,
    -- 'console' (the WebSocket, usually with a terminal) or 'run' (POST .../exec, no terminal)
    mode         text        NOT NULL CHECK (mode IN ('console', 'run')),
    workload_id  uuid        NOT NULL,
    workload     text        NOT NULL,
    engine       text        NOT NULL,
    instance     text        NOT NULL,
    -- argv as a JSON array of strings
    command      jsonb       NOT NULL,
    tty          boolean     NOT NULL,
    remote_address text,
    replica      text        NOT NULL,
    started_at   timestamptz NOT NULL,
    seen_at      timestamptz NOT NULL,
    ended_at     timestamptz,
    exit_code    integer,
    bytes_in     bigint      NOT NULL DEFAULT 0,
    bytes_out    bigint      NOT NULL DEFAULT 0,
    -- why it ended: 'exited', 'client closed', 'idle', 'access revoked', 'failed: ...', 'server stopped'
    end_reason   text,
    -- the asciicast file's name under gantry.exec.recording-dir, when the session was recorded
    recording    text
);

CREATE INDEX exec_sessions_started ON exec_sessions (started_at DESC, id DESC);
CREATE INDEX exec_sessions_open ON exec_sessions (seen_at) WHERE ended_at IS NULL;
