-- one row per filtered project, source and gate problem that first affects $period's data (quarantined rows
-- or a rejected load), with the rules broken and the KPIs it turns grey
SELECT
    g.project_id,
    p.project_name,
    g.source,
    g.issue,
    g.file_name,
    g.rules,
    g.rows_affected,
    g.kpis
FROM mart_gate_impact AS g
JOIN filtered_projects AS p USING (project_id)
WHERE g.from_period = $period
ORDER BY g.project_id, g.source
