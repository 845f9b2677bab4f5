-- Bulk actions (issue 20): one run per POST /api/v1/bulk, one item per workload the selector matched. Items are
-- written when the run is accepted (refused ones SKIPPED with their reason), so a restart loses nothing; a run whose
-- replica stopped heartbeating is marked FAILED with a reason by any replica (BulkRecovery).
CREATE TABLE bulk_runs (
    id              uuid        PRIMARY KEY,
    username        text        NOT NULL,
    -- the caller's global role when the run was accepted: later batches act with it, cut to the user's grants
    role            text        NOT NULL,
    action          text        NOT NULL,
    selector        jsonb       NOT NULL,
    params          jsonb       NOT NULL,
    batch_size      integer     NOT NULL,
    pause_seconds   integer     NOT NULL,
    stop_on_failure boolean     NOT NULL,
    state           text        NOT NULL CHECK (state IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    message         text,
    -- the batch running now (1-based); 0 before the first
    current_batch   integer     NOT NULL DEFAULT 0,
    -- when the current batch finished: the next one starts pause_seconds later
    batch_done_at   timestamptz,
    replica         text        NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    finished_at     timestamptz
);
CREATE INDEX bulk_runs_active ON bulk_runs (state) WHERE state = 'RUNNING';

CREATE TABLE bulk_items (
    run_id        uuid    NOT NULL REFERENCES bulk_runs (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    workload_id   uuid    NOT NULL,
    workload_name text    NOT NULL,
    engine_name   text    NOT NULL,
    namespace     text    NOT NULL,
    -- 0 for a refused item (never run)
    batch         integer NOT NULL,
    operation_id  uuid,
    state         text    NOT NULL CHECK (state IN ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED')),
    message       text,
    PRIMARY KEY (run_id, position)
);
