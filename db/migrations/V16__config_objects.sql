-- Secrets and config objects (issue 21): what engines keep, as metadata only. Values are never stored here; the
-- engine holds them. Ids are Gantry's own, stable while the engine keeps the object (rotations included).
CREATE TABLE config_objects (
    id          uuid        PRIMARY KEY,
    engine_id   uuid        NOT NULL REFERENCES engines (id) ON DELETE CASCADE,
    -- copied from engines, as for workloads, so that the caller's grants cut the list in SQL without a join
    engine_name text        NOT NULL,
    native_id   text        NOT NULL,
    namespace   text        NOT NULL DEFAULT '',
    name        text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('SECRET', 'CONFIG')),
    keys        jsonb       NOT NULL DEFAULT '[]',
    version     text,
    created_at  timestamptz,
    updated_at  timestamptz,
    -- when Gantry last read it from the engine
    synced_at   timestamptz NOT NULL,
    CONSTRAINT config_objects_engine_native UNIQUE (engine_id, native_id)
);
CREATE INDEX config_objects_listing ON config_objects (engine_name, namespace, name, kind);

-- usedBy: workloads whose stored spec references an object by name and kind, found with a containment query
-- ((spec->'secrets')::jsonb @> '[{"source": ..., "kind": ...}]') rather than by reading every spec. The spec is json
-- (V6); the index holds only its references, as jsonb, and ConfigStore queries this very expression.
CREATE INDEX workloads_secret_refs ON workloads USING gin (((spec -> 'secrets')::jsonb) jsonb_path_ops);
