-- one row per project: the latest load wins when a project_id appears in several loads
CREATE OR REPLACE TEMP VIEW stg_projects AS
SELECT
    p.project_id,
    p.project_name,
    nullif(trim(p.portfolio), '') AS portfolio,
    nullif(trim(p.programme), '') AS programme,
    nullif(trim(p.department), '') AS department,
    nullif(trim(p.sponsor), '') AS sponsor,
    nullif(trim(p.manager), '') AS manager,
    nullif(trim(p.lifecycle_stage), '') AS lifecycle_stage,
    norm_key(p.lifecycle_stage) AS lifecycle_stage_key,
    norm_key(p.status) AS status,
    nullif(trim(p.priority), '') AS priority,
    p.start_date,
    p.planned_finish_date,
    p.actual_finish_date,
    p.budget_at_completion,
    upper(nullif(trim(p.currency), '')) AS currency,
    p._load_id,
    p._source_file,
    p._source_row
FROM latest_projects AS p
WHERE p.project_id IS NOT NULL;
