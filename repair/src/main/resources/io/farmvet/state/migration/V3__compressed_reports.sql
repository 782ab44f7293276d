-- Reports are stored gzipped from now on (issue 11: the state file grew to 112 MB over 314 vets of a big farm);
-- rows written before stay as they are, 'identity'. report_bytes is what the row's report takes, for the
-- history.max-bytes budget.
ALTER TABLE vet_runs ADD COLUMN report_encoding VARCHAR(16) DEFAULT 'identity' NOT NULL;
ALTER TABLE vet_runs ADD COLUMN report_bytes BIGINT DEFAULT 0 NOT NULL;
UPDATE vet_runs SET report_bytes = OCTET_LENGTH(report);

-- farmvet 0.1 reads schema_version and refuses a component version it does not know with "written by a newer
-- farmvet": version 2 makes it refuse this database rather than write into tables it no longer understands.
CREATE TABLE IF NOT EXISTS schema_version (
    component VARCHAR(64) PRIMARY KEY,
    version INT NOT NULL,
    applied_at TIMESTAMP(6) WITH TIME ZONE NOT NULL
);
DELETE FROM schema_version;
INSERT INTO schema_version (component, version, applied_at) VALUES ('repair', 2, CURRENT_TIMESTAMP);
INSERT INTO schema_version (component, version, applied_at) VALUES ('history', 2, CURRENT_TIMESTAMP);
