-- One engine's namespace, the filter a Kubernetes user sets first: without this index PostgreSQL found the
-- matches by ANDing the engine's and the namespace's bitmaps (20,000 and 50,000 entries at a million workloads,
-- 18 ms at p50 for a first page); with it, it reads the namespace's 1,000 rows of the engine straight away (6 ms).
CREATE INDEX workloads_engine_namespace ON workloads (engine_id, namespace, name, id);
