-- What an operation asks of its engine (EngineWork as JSON: a deploy holds the whole spec), so that the
-- replica syncing the engine runs it, whichever replica accepted it (issue 9). Never answered by the API;
-- cleared when the operation ends, since a spec may carry secrets in its environment.
ALTER TABLE operations ADD COLUMN work jsonb;

-- PENDING operations are looked up by engine on every replica's turn, and when another replica queues one.
CREATE INDEX operations_pending ON operations (engine_id, created_at) WHERE state = 'PENDING';
