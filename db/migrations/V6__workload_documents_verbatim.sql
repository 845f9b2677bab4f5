-- A workload's spec, status and instances are read far more often than written, and only ever whole:
-- no query looks inside them. As json (text kept as written) rather than jsonb, the list API copies the
-- stored documents into its answer as they are, instead of parsing each row's JSON to write it again;
-- jsonb would also reorder their keys. Labels stay jsonb: they are filtered with @> through a GIN index.
ALTER TABLE workloads
    ALTER COLUMN spec TYPE json USING spec::json,
    ALTER COLUMN status TYPE json USING status::json,
    ALTER COLUMN instances DROP DEFAULT,
    ALTER COLUMN instances TYPE json USING instances::json,
    ALTER COLUMN instances SET DEFAULT '[]';
