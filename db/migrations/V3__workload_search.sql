-- `q` on GET /api/v1/workloads is a substring match on name or image: trigram indexes keep it an
-- index scan at 100k workloads instead of a sequential ILIKE over every row.
-- pg_trgm ships with PostgreSQL's contrib and is a trusted extension (PG 13+): the database owner
-- may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX workloads_name_trgm ON workloads USING gin (name gin_trgm_ops);
CREATE INDEX workloads_image_trgm ON workloads USING gin (image gin_trgm_ops);
