-- one row per milestone of the projects in $project_ids (filtered projects only) per snapshot (as_of_date) on or
-- before $month_end: slip days, baseline and forecast (or actual) date
SELECT
    m.project_id,
    p.project_name,
    m.milestone_id,
    m.milestone_name,
    m.as_of_date,
    m.baseline_date,
    coalesce(m.actual_date, m.forecast_date) AS forecast_date,
    m.slip_days,
    m.is_complete
FROM mart_milestone_slip AS m
JOIN filtered_projects AS p USING (project_id)
WHERE m.as_of_date <= $month_end AND list_contains($project_ids, m.project_id)
ORDER BY m.project_id, m.milestone_id, m.as_of_date
