-- one row per load (file) whose rows feed the project's figures, newest first, from the lineage columns the
-- marts carry; budgets, timesheets, people and quality are aggregated in the marts, so their loads are
-- listed source-wide
WITH used AS (
    SELECT 'projects' AS source, load_id, source_file FROM dim_project WHERE project_id = $project_id
    UNION SELECT 'status', load_id, source_file FROM mart_status_feed WHERE project_id = $project_id
    UNION SELECT 'milestones', load_id, source_file FROM mart_milestone_slip WHERE project_id = $project_id
    UNION SELECT 'risks', load_id, source_file FROM mart_risk WHERE project_id = $project_id
    UNION SELECT 'changes', load_id, source_file FROM mart_changes WHERE project_id = $project_id
    UNION SELECT 'issues', load_id, source_file FROM mart_issues WHERE project_id = $project_id
    UNION SELECT 'documents', NULL, source_file FROM mart_documents
        WHERE project_id = $project_id AND source_file IS NOT NULL
    UNION SELECT 'lessons', NULL, source_file FROM mart_lessons WHERE project_id = $project_id
)
SELECT
    l.source, l.file_name, l.as_of_date, l.loaded_at, l.status, l.rows_loaded, l.rows_quarantined, l.load_id
FROM load_log AS l
WHERE l.status IN ('loaded', 'loaded_with_quarantine')
  AND (l.load_id IN (SELECT load_id FROM used)
       OR EXISTS (SELECT 1 FROM used AS u WHERE u.load_id IS NULL AND u.source = l.source
                  AND u.source_file = l.file_name)
       OR l.source IN ('budgets', 'timesheets', 'people', 'quality'))
ORDER BY l.loaded_at DESC, l.source
