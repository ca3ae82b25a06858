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
FROM latest_risks AS r
WHERE r.risk_id IS NOT NULL;
