-- Where each engine's sync stands, written by the replica that syncs it (under its lease) and read by every
-- replica for GET /api/v1/engines/{id}: a first sync of a big engine takes a while, and meanwhile the engine is
-- UP and SYNCING with a count of what was listed so far, not DOWN.
CREATE TABLE engine_sync (
    engine_id         uuid PRIMARY KEY REFERENCES engines (id) ON DELETE CASCADE,
    state             text        NOT NULL,
    listed            bigint      NOT NULL DEFAULT 0,
    -- as the engine announced it (Kubernetes' remainingItemCount), else null
    expected          bigint,
    started_at        timestamptz,
    last_completed_at timestamptz,
    last_duration_ms  bigint,
    -- workload rows inserted, updated or deleted by the last completed full sync
    last_written      bigint
);
