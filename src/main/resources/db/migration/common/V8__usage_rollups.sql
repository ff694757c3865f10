-- Usage summed per UTC hour (grain 'h') and per UTC day (grain 'd') for each model, provider,
-- client key and user. Written in the same transaction as the records they sum, so they always
-- agree with usage_records; /_qs/metrics reads these instead of millions of records and adds the
-- records of the partial hours at a period's edges. '' stands for "none" (no model reached, no
-- user), because NULLs never match in a primary key. The marker after each table makes it WITHOUT ROWID on SQLite
-- (rows kept in key order, so a time range is read from adjacent pages).
CREATE TABLE usage_rollups (
    grain             TEXT   NOT NULL,
    start_ms          BIGINT NOT NULL,
    model             TEXT   NOT NULL,
    provider          TEXT   NOT NULL,
    api_key_hash      TEXT   NOT NULL,
    api_key_masked    TEXT   NOT NULL,
    user_id           TEXT   NOT NULL,
    requests          BIGINT NOT NULL,
    total_tokens      BIGINT NOT NULL,
    prompt_tokens     BIGINT NOT NULL,
    completion_tokens BIGINT NOT NULL,
    reasoning_tokens  BIGINT NOT NULL,
    cached_tokens     BIGINT NOT NULL,
    failed            BIGINT NOT NULL,
    latency_ms_sum    BIGINT NOT NULL,
    cost_pusd         BIGINT NOT NULL,
    unpriced          BIGINT NOT NULL,
    ttft_ms_sum       BIGINT NOT NULL,
    ttft_count        BIGINT NOT NULL,
    PRIMARY KEY (grain, start_ms, model, provider, api_key_hash, api_key_masked, user_id)
) /*clustered*/;
-- The same sums per model and provider only: few rows an hour, so an hourly series over a month
-- reads thousands of rows, not the hundreds of thousands of the full breakdown.
CREATE TABLE usage_model_rollups (
    grain             TEXT   NOT NULL,
    start_ms          BIGINT NOT NULL,
    model             TEXT   NOT NULL,
    provider          TEXT   NOT NULL,
    requests          BIGINT NOT NULL,
    total_tokens      BIGINT NOT NULL,
    prompt_tokens     BIGINT NOT NULL,
    completion_tokens BIGINT NOT NULL,
    reasoning_tokens  BIGINT NOT NULL,
    cached_tokens     BIGINT NOT NULL,
    failed            BIGINT NOT NULL,
    latency_ms_sum    BIGINT NOT NULL,
    cost_pusd         BIGINT NOT NULL,
    unpriced          BIGINT NOT NULL,
    ttft_ms_sum       BIGINT NOT NULL,
    ttft_count        BIGINT NOT NULL,
    PRIMARY KEY (grain, start_ms, model, provider)
) /*clustered*/;
-- How many requests took each latency, the latency cut to two significant digits (exact below
-- 100 ms): enough to find the p95 of any period without sorting its records.
CREATE TABLE usage_latency_rollups (
    grain         TEXT   NOT NULL,
    start_ms      BIGINT NOT NULL,
    model         TEXT   NOT NULL,
    latency_floor BIGINT NOT NULL,
    requests      BIGINT NOT NULL,
    PRIMARY KEY (grain, start_ms, model, latency_floor)
) /*clustered*/;
-- The same over all models: what a report without a model filter reads, an eighth of the rows
-- with eight models.
CREATE TABLE usage_latency_overall (
    grain         TEXT   NOT NULL,
    start_ms      BIGINT NOT NULL,
    latency_floor BIGINT NOT NULL,
    requests      BIGINT NOT NULL,
    PRIMARY KEY (grain, start_ms, latency_floor)
) /*clustered*/;
INSERT INTO usage_rollups
SELECT g.grain, r.ts / g.width * g.width, COALESCE(r.model, ''), COALESCE(r.provider, ''),
       COALESCE(r.api_key_hash, ''), r.api_key_masked, COALESCE(r.user_id, ''),
       COUNT(*), SUM(r.total_tokens), SUM(r.prompt_tokens), SUM(r.completion_tokens), SUM(r.reasoning_tokens),
       SUM(r.cached_tokens), SUM(CASE WHEN r.status >= 400 THEN 1 ELSE 0 END), SUM(r.latency_ms),
       COALESCE(SUM(r.cost_pusd), 0), SUM(CASE WHEN r.cost_pusd IS NULL AND r.total_tokens > 0 THEN 1 ELSE 0 END),
       COALESCE(SUM(CASE WHEN r.stream = 1 THEN r.ttfb_ms END), 0),
       SUM(CASE WHEN r.stream = 1 AND r.ttfb_ms IS NOT NULL THEN 1 ELSE 0 END)
FROM usage_records r
CROSS JOIN (SELECT 'h' AS grain, 3600000 AS width UNION ALL SELECT 'd', 86400000) g
GROUP BY g.grain, r.ts / g.width * g.width, COALESCE(r.model, ''), COALESCE(r.provider, ''),
         COALESCE(r.api_key_hash, ''), r.api_key_masked, COALESCE(r.user_id, '');
INSERT INTO usage_model_rollups
SELECT grain, start_ms, model, provider, SUM(requests), SUM(total_tokens), SUM(prompt_tokens),
       SUM(completion_tokens), SUM(reasoning_tokens), SUM(cached_tokens), SUM(failed), SUM(latency_ms_sum),
       SUM(cost_pusd), SUM(unpriced), SUM(ttft_ms_sum), SUM(ttft_count)
FROM usage_rollups
GROUP BY grain, start_ms, model, provider;
INSERT INTO usage_latency_rollups
SELECT g.grain, r.ts / g.width * g.width, COALESCE(r.model, ''),
       CASE WHEN r.latency_ms < 100 THEN r.latency_ms
            WHEN r.latency_ms < 1000 THEN r.latency_ms / 10 * 10
            WHEN r.latency_ms < 10000 THEN r.latency_ms / 100 * 100
            WHEN r.latency_ms < 100000 THEN r.latency_ms / 1000 * 1000
            WHEN r.latency_ms < 1000000 THEN r.latency_ms / 10000 * 10000
            WHEN r.latency_ms < 10000000 THEN r.latency_ms / 100000 * 100000
            ELSE r.latency_ms / 1000000 * 1000000 END,
       COUNT(*)
FROM usage_records r
CROSS JOIN (SELECT 'h' AS grain, 3600000 AS width UNION ALL SELECT 'd', 86400000) g
GROUP BY g.grain, r.ts / g.width * g.width, COALESCE(r.model, ''),
         CASE WHEN r.latency_ms < 100 THEN r.latency_ms
              WHEN r.latency_ms < 1000 THEN r.latency_ms / 10 * 10
              WHEN r.latency_ms < 10000 THEN r.latency_ms / 100 * 100
              WHEN r.latency_ms < 100000 THEN r.latency_ms / 1000 * 1000
              WHEN r.latency_ms < 1000000 THEN r.latency_ms / 10000 * 10000
              WHEN r.latency_ms < 10000000 THEN r.latency_ms / 100000 * 100000
              ELSE r.latency_ms / 1000000 * 1000000 END;
INSERT INTO usage_latency_overall
SELECT grain, start_ms, latency_floor, SUM(requests)
FROM usage_latency_rollups
GROUP BY grain, start_ms, latency_floor
