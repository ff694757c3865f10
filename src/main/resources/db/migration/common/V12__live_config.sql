-- Provider credentials added through the admin API or the dashboard, beside those of the config
-- file. The key and the header values are kept only encrypted with the master password (secrets).
CREATE TABLE provider_credentials (
    id         TEXT PRIMARY KEY,
    format     TEXT   NOT NULL,
    provider   TEXT   NOT NULL,
    spec       TEXT   NOT NULL,
    secrets    TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- Each instance of a fleet says it is alive, and which config file it runs (its hash), so drift
-- between instances shows on the System page.
CREATE TABLE fleet_instances (
    instance_id      TEXT PRIMARY KEY,
    version          TEXT   NOT NULL,
    config_hash      TEXT   NOT NULL,
    config_loaded_at BIGINT NOT NULL,
    started_at       BIGINT NOT NULL,
    seen_at          BIGINT NOT NULL
);
-- Settings changed on the dashboard that override the file's for the whole fleet (routing.strategy).
CREATE TABLE live_settings (
    name       TEXT PRIMARY KEY,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);
