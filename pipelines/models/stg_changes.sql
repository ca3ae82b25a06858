-- one row per change request: the latest load wins
CREATE OR REPLACE TEMP VIEW stg_changes AS
SELECT
    c.change_id,
    c.project_id,
    c.title,
    norm_key(c.change_type) AS change_type,
    c.submitted_date,
    norm_key(c.decision) AS decision,
    c.decision_date,
    c.cost_impact,
    c.schedule_impact_days,
    c._load_id,
    c._source_file,
    c._source_row
FROM latest_changes AS c
WHERE c.change_id IS NOT NULL;
