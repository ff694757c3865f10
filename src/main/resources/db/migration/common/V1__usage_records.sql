-- One row per proxied request. Times are epoch milliseconds (UTC); tokens as the upstream reported them.
CREATE TABLE usage_records (
    id                  TEXT PRIMARY KEY,
    ts                  BIGINT  NOT NULL,
    endpoint            TEXT    NOT NULL,
    stream              INTEGER NOT NULL,
    requested_model     TEXT,
    model               TEXT,
    provider            TEXT,
    credential          TEXT,
    api_key_hash        TEXT,
    api_key_masked      TEXT    NOT NULL,
    status              INTEGER NOT NULL,
    latency_ms          BIGINT  NOT NULL,
    ttfb_ms             BIGINT,
    prompt_tokens       BIGINT  NOT NULL,
    completion_tokens   BIGINT  NOT NULL,
    total_tokens        BIGINT  NOT NULL,
    cached_tokens       BIGINT  NOT NULL,
    reasoning_tokens    BIGINT  NOT NULL,
    usage_quality       TEXT    NOT NULL,
    upstream_request_id TEXT,
    error               TEXT,
    attempts            INTEGER NOT NULL
);
CREATE INDEX ix_usage_ts ON usage_records (ts);
CREATE INDEX ix_usage_model_ts ON usage_records (model, ts);
CREATE INDEX ix_usage_key_ts ON usage_records (api_key_hash, ts);
