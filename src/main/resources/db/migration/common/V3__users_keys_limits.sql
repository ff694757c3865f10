-- Users and the client keys issued to them (only SHA-256 hashes of the secrets), limits per key or user,
-- and on each usage record who called and whether the call counted against the limits.
CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    name       TEXT   NOT NULL,
    team       TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE client_keys (
    id         TEXT PRIMARY KEY,
    user_id    TEXT   NOT NULL REFERENCES users (id),
    name       TEXT   NOT NULL,
    key_hash   TEXT   NOT NULL UNIQUE,
    masked     TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX ix_client_keys_user ON client_keys (user_id);
-- One row per key or user with limits; NULL = not limited. Budget columns hold pico-USD (10^-12 USD).
CREATE TABLE limits (
    subject_kind         TEXT   NOT NULL,
    subject_id           TEXT   NOT NULL,
    requests_per_minute  BIGINT,
    requests_per_day     BIGINT,
    tokens_per_minute    BIGINT,
    tokens_per_day       BIGINT,
    total_tokens         BIGINT,
    budget_usd_per_day   BIGINT,
    budget_usd_per_month BIGINT,
    max_concurrent       BIGINT,
    updated_at           BIGINT NOT NULL,
    PRIMARY KEY (subject_kind, subject_id)
);
ALTER TABLE usage_records ADD COLUMN user_id TEXT;
ALTER TABLE usage_records ADD COLUMN key_id TEXT;
ALTER TABLE usage_records ADD COLUMN admitted INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ix_usage_user_ts ON usage_records (user_id, ts);
CREATE INDEX ix_usage_keyid_ts ON usage_records (key_id, ts);
