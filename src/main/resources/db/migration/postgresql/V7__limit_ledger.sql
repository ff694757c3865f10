-- (PostgreSQL's own copy of common/V7: the sequence is BIGSERIAL, SQLite's INTEGER PRIMARY KEY.)
-- What limited subjects used, shared by a fleet on PostgreSQL (SQLite serves one instance, which
-- keeps this state in memory and rebuilds it from usage_records). Rows are appended, never updated.
CREATE TABLE limit_ledger (
    seq       BIGSERIAL PRIMARY KEY,
    id        TEXT UNIQUE,
    subject   TEXT   NOT NULL,
    at_ms     BIGINT NOT NULL,
    requests  BIGINT NOT NULL,
    tokens    BIGINT NOT NULL,
    cost_pusd BIGINT NOT NULL,
    writer    TEXT   NOT NULL
);
CREATE INDEX ix_limit_ledger_subject ON limit_ledger (subject, seq);
