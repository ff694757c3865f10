-- Input written to Anthropic's prompt caches (5-minute and 1-hour), part of prompt_tokens but priced apart,
-- and the per-token prices they were charged at (pico-USD).
ALTER TABLE usage_records ADD COLUMN cache_write_5m_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_records ADD COLUMN cache_write_1h_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_records ADD COLUMN price_cache_write_5m_pusd BIGINT;
ALTER TABLE usage_records ADD COLUMN price_cache_write_1h_pusd BIGINT;
