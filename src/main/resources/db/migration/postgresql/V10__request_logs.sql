-- The request log store (logs.enabled): one row per logged call, its conversation's messages stored
-- once each, content-addressed and deflated; their text searched through a tsvector ('simple':
-- no stemming, no stop words, as SQLite's FTS5 unicode61 tokenizer) with a GIN index.
CREATE TABLE log_entries (
    id TEXT PRIMARY KEY,
    ts BIGINT NOT NULL,
    endpoint TEXT NOT NULL,
    requested_model TEXT,
    model TEXT,
    provider TEXT,
    api_key_masked TEXT,
    key_id TEXT,
    user_id TEXT,
    status INTEGER NOT NULL,
    stream INTEGER NOT NULL,
    flags INTEGER NOT NULL,
    error TEXT,
    conversation_id TEXT,
    request BYTEA NOT NULL,
    stored_bytes INTEGER NOT NULL
);
CREATE INDEX log_entries_ts ON log_entries (ts, id);
CREATE INDEX log_entries_conversation ON log_entries (conversation_id, ts);
CREATE TABLE log_messages (
    id BIGSERIAL PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    body BYTEA NOT NULL,
    text TEXT NOT NULL,
    tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED
);
CREATE INDEX log_messages_tsv ON log_messages USING GIN (tsv);
CREATE TABLE log_entry_messages (
    entry_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    message_id BIGINT NOT NULL,
    PRIMARY KEY (entry_id, seq)
);
CREATE INDEX log_entry_messages_message ON log_entry_messages (message_id);
