-- The request log store (logs.enabled): one row per logged call, its conversation's messages stored
-- once each, content-addressed and deflated, and their text in a full-text index (FTS5 here).
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
    request BLOB NOT NULL,
    stored_bytes INTEGER NOT NULL
);
CREATE INDEX log_entries_ts ON log_entries (ts, id);
CREATE INDEX log_entries_conversation ON log_entries (conversation_id, ts);
CREATE TABLE log_messages (
    id INTEGER PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    body BLOB NOT NULL
);
CREATE TABLE log_entry_messages (
    entry_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    message_id BIGINT NOT NULL,
    PRIMARY KEY (entry_id, seq)
);
CREATE INDEX log_entry_messages_message ON log_entry_messages (message_id);
CREATE VIRTUAL TABLE log_text USING fts5(text, tokenize = 'unicode61 remove_diacritics 0');
