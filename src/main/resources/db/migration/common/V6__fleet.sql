-- Periodic jobs that must run once across a fleet (retention): an instance runs one only after
-- claiming its turn here, and each run is kept in the history.
CREATE TABLE fleet_jobs (
    name          TEXT PRIMARY KEY,
    last_run_at   BIGINT NOT NULL,
    last_instance TEXT
);
CREATE TABLE fleet_job_runs (
    name        TEXT   NOT NULL,
    instance_id TEXT   NOT NULL,
    started_at  BIGINT NOT NULL
);
-- Calls in flight under a concurrency cap, one row each; a live instance renews its rows, so those
-- of an instance that died expire by themselves.
CREATE TABLE limit_leases (
    id         TEXT PRIMARY KEY,
    subject    TEXT   NOT NULL,
    writer     TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX ix_limit_leases_subject ON limit_leases (subject, expires_at);
-- Credentials resting after an upstream failure, so every instance of a fleet rests them (read
-- every 10 s), not only the one that saw the 429.
CREATE TABLE credential_cooldowns (
    credential  TEXT PRIMARY KEY,
    until_ms    BIGINT  NOT NULL,
    failures    INTEGER NOT NULL,
    last_error  TEXT,
    instance_id TEXT    NOT NULL
);
