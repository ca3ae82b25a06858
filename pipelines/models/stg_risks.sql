-- one row per risk per snapshot (as_of_date): per project and as-of only the latest load counts
-- (a corrected export of the same as-of replaces the whole snapshot), then one row per grain
CREATE OR REPLACE TEMP VIEW stg_risks AS
SELECT
    r.project_id,
    r.risk_id,
    r.as_of_date,
    r.title,
    nullif(trim(r.category), '') AS category,
    nullif(trim(r.owner), '') AS owner,
    r.probability,
    r.impact,
    norm_key(r.status) AS status,
    r.raised_date,
    r.due_date,
    r.closed_date,
    r.mitigation,
    r._load_id,
    r._source_file,
    r._source_row
FROM raw_risks AS r
SEMI JOIN latest_snapshot_load('raw_risks') AS k
    ON k.project_id = r.project_id AND k.as_of_date = r.as_of_date AND k._load_id IS NOT DISTINCT FROM r._load_id
WHERE r.risk_id IS NOT NULL
-- the last row of the grain in that load (a window max: row_number() = 1 is rewritten by DuckDB into a slow
-- arg_max over every column when there are a million tiny partitions)
QUALIFY r._source_row IS NOT DISTINCT FROM max(r._source_row) OVER (PARTITION BY r.project_id, r.risk_id, r.as_of_date);
