-- Core store: engines, the normalized workloads, their events and the operation journal.
-- Security tables (users, api_tokens, audit_log) live in V2.

CREATE TABLE engines (
    id           uuid PRIMARY KEY,
    name         text        NOT NULL UNIQUE,
    kind         text        NOT NULL,
    endpoint     text        NOT NULL,
    labels       jsonb       NOT NULL DEFAULT '{}',
    options      jsonb       NOT NULL DEFAULT '{}',
    -- AES-GCM: 12-byte IV followed by ciphertext and tag; never plaintext
    credentials  bytea,
    status       text        NOT NULL DEFAULT 'UNKNOWN',
    message      text        NOT NULL DEFAULT '',
    last_sync_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE workloads (
    id             uuid PRIMARY KEY,
    engine_id      uuid        NOT NULL REFERENCES engines (id) ON DELETE CASCADE,
    -- copied from engines so that sorting and filtering by engine need no join
    engine_name    text        NOT NULL,
    engine_kind    text        NOT NULL,
    native_id      text        NOT NULL,
    namespace      text        NOT NULL DEFAULT '',
    name           text        NOT NULL,
    kind           text        NOT NULL,
    phase          text        NOT NULL,
    image          text,
    labels         jsonb       NOT NULL DEFAULT '{}',
    desired        integer     NOT NULL DEFAULT 0,
    running        integer     NOT NULL DEFAULT 0,
    stale          boolean     NOT NULL DEFAULT false,
    spec           jsonb       NOT NULL,
    status         jsonb       NOT NULL,
    instances      jsonb       NOT NULL DEFAULT '[]',
    native_object  text,
    -- hash of everything above that comes from the engine: an unchanged workload is not rewritten
    content_hash   text        NOT NULL,
    created_at     timestamptz,
    synced_at      timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    CONSTRAINT workloads_engine_native UNIQUE (engine_id, native_id)
);

-- keyset pagination: one index per sort key, id breaks ties
CREATE INDEX workloads_by_name ON workloads (name, id);
CREATE INDEX workloads_by_engine ON workloads (engine_name, id);
CREATE INDEX workloads_by_phase ON workloads (phase, id);
CREATE INDEX workloads_by_updated ON workloads (updated_at, id);
-- filters
CREATE INDEX workloads_engine_name ON workloads (engine_id, name, id);
CREATE INDEX workloads_engine_kind ON workloads (engine_kind, name, id);
CREATE INDEX workloads_namespace ON workloads (namespace, name, id);
CREATE INDEX workloads_kind ON workloads (kind, name, id);
CREATE INDEX workloads_phase_name ON workloads (phase, name, id);
CREATE INDEX workloads_labels ON workloads USING gin (labels jsonb_path_ops);

CREATE TABLE workload_events (
    id            bigserial PRIMARY KEY,
    engine_id     uuid        NOT NULL REFERENCES engines (id) ON DELETE CASCADE,
    -- no foreign key: the events of a deleted workload outlive it
    workload_id   uuid,
    workload_name text,
    native_id     text,
    time          timestamptz NOT NULL,
    type          text        NOT NULL,
    reason        text        NOT NULL,
    message       text        NOT NULL,
    -- a deleted workload's last known state
    last_state    jsonb
);
CREATE INDEX workload_events_time ON workload_events (time DESC, id DESC);
CREATE INDEX workload_events_workload ON workload_events (workload_id, time DESC);
CREATE INDEX workload_events_engine ON workload_events (engine_id, time DESC);
-- watch streams repeat events after a reconnect
CREATE UNIQUE INDEX workload_events_dedup
    ON workload_events (engine_id, coalesce(native_id, ''), time, reason, md5(message));

CREATE TABLE operations (
    id              uuid PRIMARY KEY,
    action          text        NOT NULL,
    -- no foreign keys: the journal outlives the workloads and engines it acted on
    workload_id     uuid,
    engine_id       uuid,
    username        text        NOT NULL,
    state           text        NOT NULL,
    progress        integer     NOT NULL DEFAULT 0,
    message         text        NOT NULL DEFAULT '',
    idempotency_key text,
    request         jsonb,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    finished_at     timestamptz,
    CONSTRAINT operations_idempotency UNIQUE (username, idempotency_key)
);
CREATE INDEX operations_created ON operations (created_at DESC, id);
CREATE INDEX operations_workload ON operations (workload_id, created_at DESC);
CREATE INDEX operations_engine ON operations (engine_id, created_at DESC);
CREATE INDEX operations_state ON operations (state) WHERE state IN ('PENDING', 'RUNNING');
