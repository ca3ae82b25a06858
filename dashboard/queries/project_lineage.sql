-- where the project's figures at $month_end come from, newest load first: one row per source record (its file, row
-- number in that file and load time) for the sources kept per record: the project itself, its status reports, the
-- latest milestone and risk snapshots, change requests, RAID items, documents and lessons; budgets, timesheets, people and quality are
-- aggregated in the marts, so their loads are listed source-wide (no row number)
WITH records AS (
    SELECT 'projects' AS source, project_id AS record, load_id, source_file, source_row
    FROM dim_project WHERE project_id = $project_id
    UNION ALL
    SELECT 'status', CAST(report_date AS VARCHAR), load_id, source_file, source_row
    FROM mart_status_feed WHERE project_id = $project_id AND report_date <= $month_end
    UNION ALL
    SELECT 'milestones', milestone_id || ' @ ' || CAST(as_of_date AS VARCHAR), load_id, source_file, source_row
    FROM mart_milestone_slip
    WHERE project_id = $project_id AND as_of_date = (SELECT max(as_of_date) FROM mart_milestone_slip
                                                     WHERE project_id = $project_id AND as_of_date <= $month_end)
    UNION ALL
    SELECT 'risks', risk_id || ' @ ' || CAST(as_of_date AS VARCHAR), load_id, source_file, source_row
    FROM mart_risk
    WHERE project_id = $project_id AND as_of_date = (SELECT max(as_of_date) FROM mart_risk
                                                     WHERE project_id = $project_id AND as_of_date <= $month_end)
    UNION ALL
    SELECT 'changes', change_id, load_id, source_file, source_row
    FROM mart_changes WHERE project_id = $project_id AND submitted_date <= $month_end
    UNION ALL
    SELECT 'issues', item_id, load_id, source_file, source_row
    FROM mart_issues WHERE project_id = $project_id AND raised_date <= $month_end
    UNION ALL
    SELECT 'documents', document_key, load_id, source_file, source_row
    FROM mart_documents WHERE project_id = $project_id AND load_id IS NOT NULL
    UNION ALL
    SELECT 'lessons', lesson_id, load_id, source_file, source_row
    FROM mart_lessons WHERE project_id = $project_id AND recorded_date <= $month_end
),
aggregated AS (
    SELECT source, NULL AS record, load_id, file_name AS source_file, CAST(NULL AS BIGINT) AS source_row
    FROM load_log
    WHERE status IN ('loaded', 'loaded_with_quarantine') AND source IN ('budgets', 'timesheets', 'people', 'quality')
)
SELECT
    r.source,
    r.record,
    coalesce(l.file_name, r.source_file) AS file_name,
    r.source_row,
    l.loaded_at,
    l.as_of_date,
    r.load_id
FROM (SELECT * FROM records UNION ALL SELECT * FROM aggregated) AS r
LEFT JOIN load_log AS l USING (load_id)
ORDER BY l.loaded_at DESC NULLS LAST, r.source, r.record, r.source_row
