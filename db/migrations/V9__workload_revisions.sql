-- Revisions of each workload's spec (issue 17): every change Gantry made (source 'gantry', with the user and
-- the operation), every change the sync saw made elsewhere (source 'engine', no user), and what the engine
-- itself kept from before Gantry knew the workload (source 'engine', engine_revision set). Numbered per
-- workload from 1; only the newest gantry.revisions.keep are kept (RevisionStore prunes on insert).
-- The revisions belong to the workload: when the sync finds it gone from its engine, they go with it.
CREATE TABLE workload_revisions (
    workload_id     uuid        NOT NULL REFERENCES workloads (id) ON DELETE CASCADE,
    revision        integer     NOT NULL,
    created_at      timestamptz NOT NULL,
    -- null for source 'engine'
    username        text,
    source          text        NOT NULL CHECK (source IN ('gantry', 'engine')),
    -- no foreign key: the journal is never pruned by this table, nor this table by the journal
    operation_id    uuid,
    message         text        NOT NULL DEFAULT '',
    spec            jsonb       NOT NULL,
    -- md5 of spec as jsonb text (keys ordered by PostgreSQL): the sync compares it with the stored workload's
    spec_hash       text        NOT NULL,
    -- EngineRevision.id when the engine kept this revision itself; handed back to EngineClient.rollback
    engine_revision text,
    PRIMARY KEY (workload_id, revision)
);
