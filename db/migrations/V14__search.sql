-- Search everywhere (issue 20): GET /api/v1/search finds workloads by exact name, name prefix, part of the name, a
-- label value, the image or the engine's native id, each tier an index scan that stops at the page size, so that a
-- search stays in milliseconds at 100k workloads. V3 made pg_trgm and the name and image trigram indexes.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- exact and prefix matches regardless of case: text_pattern_ops serves =, and the ~>=~ / ~<~ range of a prefix
CREATE INDEX workloads_name_lower ON workloads (lower(name) text_pattern_ops);
CREATE INDEX workloads_native_id_trgm ON workloads USING gin (native_id gin_trgm_ops);
-- the values of the labels as one text (keys left out: "app" would match every workload); the query must use the
-- very same expression for the index to serve it (WorkloadSearch.LABEL_VALUES)
CREATE INDEX workloads_label_values_trgm ON workloads USING gin ((jsonb_path_query_array(labels, '$.*')::text) gin_trgm_ops);
-- an operation by the first characters of its id, as people copy them from a log
CREATE INDEX operations_id_text ON operations ((id::text) text_pattern_ops);
