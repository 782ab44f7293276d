-- The daemon's run history, as farmvet 0.1 created it (its schema_version component 'history', version 1);
-- ${large_binary} is BLOB on H2 (see StateStore).
CREATE TABLE IF NOT EXISTS vet_runs (
    id VARCHAR(64) PRIMARY KEY,
    started_at TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    duration_ms BIGINT NOT NULL,
    status VARCHAR(20) NOT NULL,
    inconsistencies BIGINT NOT NULL,
    trigger_kind VARCHAR(20) NOT NULL,
    dry_run BOOLEAN NOT NULL,
    nodes VARCHAR(4000),
    report ${large_binary} NOT NULL
);
CREATE INDEX IF NOT EXISTS vet_runs_status_id ON vet_runs(status, id);
