-- History for the charts (issue 7, item 8): replica counts per workload as they change, per-engine
-- totals sampled on a fixed period, and measured usage of workloads on engines that report it.
-- Rows older than gantry.history.retention are pruned by a scheduled job (HistoryPruner).

-- One row each time a workload's running or desired replicas or its phase change, written by the
-- same statement that upserts the workload (WorkloadStore). No foreign key to workloads: the history
-- of a deleted workload stays until it ages out.
CREATE TABLE workload_history (
    workload_id uuid        NOT NULL,
    engine_id   uuid        NOT NULL REFERENCES engines (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    running     integer     NOT NULL,
    desired     integer     NOT NULL,
    phase       text        NOT NULL
);
CREATE INDEX workload_history_workload_at ON workload_history (workload_id, at);
CREATE INDEX workload_history_engine ON workload_history (engine_id);
-- pruning deletes by age; rows arrive in time order, so a BRIN index stays tiny
CREATE INDEX workload_history_at ON workload_history USING brin (at);

-- Running and desired replicas of all of an engine's workloads, sampled every sample period.
CREATE TABLE engine_history (
    engine_id uuid        NOT NULL REFERENCES engines (id) ON DELETE CASCADE,
    at        timestamptz NOT NULL,
    running   integer     NOT NULL,
    desired   integer     NOT NULL,
    PRIMARY KEY (engine_id, at)
);
CREATE INDEX engine_history_at ON engine_history USING brin (at);

-- Summed over a workload's running instances: cpu_seconds is cumulative (the API turns two readings
-- into millicores), memory_bytes is resident memory at that moment.
CREATE TABLE workload_usage (
    workload_id  uuid             NOT NULL,
    engine_id    uuid             NOT NULL REFERENCES engines (id) ON DELETE CASCADE,
    at           timestamptz      NOT NULL,
    cpu_seconds  double precision NOT NULL,
    memory_bytes bigint           NOT NULL,
    instances    integer          NOT NULL,
    PRIMARY KEY (workload_id, at)
);
CREATE INDEX workload_usage_engine ON workload_usage (engine_id);
CREATE INDEX workload_usage_at ON workload_usage USING brin (at);

-- Workloads stored before this migration start their series with their current state.
INSERT INTO workload_history (workload_id, engine_id, at, running, desired, phase)
SELECT id, engine_id, updated_at, running, desired, phase FROM workloads;
