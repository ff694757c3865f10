-- Which instance served and wrote each record (instance-id in the config, else the host name).
ALTER TABLE usage_records ADD COLUMN instance_id TEXT;
