-- The last mirror:repo_synchronized webhook per (mirror, repository), for the report's "sync" (issue 12). Kept
-- small and pruned by the daemon (by age and count); plain SQL that PostgreSQL accepts too (issue 14).
CREATE TABLE sync_events (
    mirror VARCHAR(200) NOT NULL,
    repository_id BIGINT NOT NULL,
    sync_type VARCHAR(20) NOT NULL,
    event_id VARCHAR(200),
    received_at TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    PRIMARY KEY (mirror, repository_id)
);
CREATE INDEX sync_events_received_at ON sync_events(received_at);
CREATE INDEX sync_events_repository ON sync_events(repository_id);
