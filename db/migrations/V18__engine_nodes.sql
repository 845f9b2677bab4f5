-- Nodes as last listed by each engine (issue 20: search finds nodes too). Refreshed by the replica that syncs the
-- engine (io.gantry.node.NodeRefresher), so that a search reads a table instead of asking every engine per keystroke.
CREATE TABLE engine_nodes (
    engine_id  uuid        NOT NULL REFERENCES engines (id) ON DELETE CASCADE,
    name       text        NOT NULL,
    address    text,
    status     text        NOT NULL,
    role       text,
    seen_at    timestamptz NOT NULL,
    PRIMARY KEY (engine_id, name)
);
CREATE INDEX engine_nodes_name_trgm ON engine_nodes USING gin (name gin_trgm_ops);
