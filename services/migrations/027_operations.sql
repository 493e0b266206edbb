-- What an operator asks of a running portal (issue 22): when each timed job last ran (the
-- sidecar's heartbeat), and every backup taken, failed ones included, so the health check and
-- «Drift» can tell that the last good one is recent.
CREATE TABLE heartbeats (
    name     VARCHAR PRIMARY KEY,
    beat_at  TIMESTAMP NOT NULL
);

CREATE SEQUENCE seq_backup_runs START 1;
CREATE TABLE backup_runs (
    id           INTEGER PRIMARY KEY DEFAULT nextval('seq_backup_runs'),
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    file_name    VARCHAR,
    size_bytes   BIGINT,
    table_rows   BIGINT,
    file_count   INTEGER,
    -- The failure's kind, never its content: a message from the store could quote a row.
    error        VARCHAR
);
CREATE INDEX backup_runs_by_time ON backup_runs (started_at);
