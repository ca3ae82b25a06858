-- one row per project: id, name and whether it passes the sidebar filters (the project picker)
SELECT
    p.project_id,
    p.project_name,
    p.project_id IN (SELECT project_id FROM filtered_projects) AS in_filter
FROM dim_project AS p
ORDER BY p.project_id
