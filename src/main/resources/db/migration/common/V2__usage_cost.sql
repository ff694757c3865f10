-- What each request cost and the prices it was charged at, in pico-USD (10^-12 USD) as exact integers.
-- NULL cost: the model had no price when the record was written.
ALTER TABLE usage_records ADD COLUMN cost_pusd BIGINT;
ALTER TABLE usage_records ADD COLUMN price_input_pusd BIGINT;
ALTER TABLE usage_records ADD COLUMN price_output_pusd BIGINT;
ALTER TABLE usage_records ADD COLUMN price_cached_pusd BIGINT;
