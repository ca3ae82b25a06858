-- one row per milestone per snapshot (as_of_date): per project and as-of only the latest load counts
-- (a corrected export of the same as-of replaces the whole snapshot), then one row per grain
CREATE OR REPLACE TEMP VIEW stg_milestones AS
SELECT
    r.project_id,
    r.milestone_id,
    r.milestone_name,
    r.as_of_date,
    r.baseline_date,
    r.forecast_date,
    r.actual_date,
    coalesce(r.is_gate, false) AS is_gate,
    -- a baseline schedule's own snapshot (`pmo ingest --baseline`): its dates are the baseline
    coalesce(r.is_baseline, false) AS is_baseline,
    r._load_id,
    r._source_file,
    r._source_row
FROM latest_milestones AS r
WHERE r.milestone_id IS NOT NULL;
