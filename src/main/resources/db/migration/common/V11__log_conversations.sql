-- Conversations in the request log: each logged chat call's place in its dialog. thread_key is the
-- fingerprint of the conversation after the call (the caller, every message's text, the answer's
-- text); a later call whose history without its newest turns has that fingerprint continues it.
ALTER TABLE log_entries ADD COLUMN thread_key TEXT;
ALTER TABLE log_entries ADD COLUMN parent_id TEXT;
CREATE INDEX log_entries_thread ON log_entries (thread_key);
