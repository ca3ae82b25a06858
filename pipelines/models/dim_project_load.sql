-- one row per project, source and load whose rows feed it now (lineage: which files a project's figures rest on)
CREATE OR REPLACE TABLE dim_project_load AS
WITH fed AS (
    SELECT DISTINCT 'budgets' AS source, project_id, _load_id AS load_id FROM raw_budgets
    UNION SELECT DISTINCT 'status', project_id, _load_id FROM raw_status
    UNION SELECT DISTINCT 'milestones', project_id, _load_id FROM raw_milestones
    UNION SELECT DISTINCT 'risks', project_id, _load_id FROM raw_risks
    UNION SELECT DISTINCT 'quality', project_id, _load_id FROM raw_quality
    UNION SELECT DISTINCT 'changes', project_id, _load_id FROM raw_changes
    UNION SELECT DISTINCT 'issues', project_id, _load_id FROM raw_issues
)
SELECT f.project_id, f.source, f.load_id, l.file_name, l.file_hash, l.loaded_at
FROM fed AS f
JOIN load_log AS l ON l.load_id = f.load_id
WHERE f.project_id IS NOT NULL;
