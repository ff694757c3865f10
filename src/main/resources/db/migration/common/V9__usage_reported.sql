-- The usage an upstream reported when it was impossible (negative, beyond 100 million tokens, a part
-- larger than its whole) and had to be clamped; the record's usage_quality is then 'clamped'.
ALTER TABLE usage_records ADD COLUMN usage_reported TEXT;
