-- one row per milestone of the filtered projects as it stood at $month_end: each project's latest milestone
-- snapshot on or before $month_end; overdue = not done and its planned date (forecast, else baseline) before
-- $month_end
SELECT
    m.project_id,
    p.project_name,
    m.milestone_id,
    m.milestone_name,
    m.is_gate,
    m.as_of_date,
    m.baseline_date,
    m.forecast_date,
    m.actual_date,
    m.slip_days,
    m.slip_rag,
    m.is_complete,
    m.on_time,
    m.actual_date IS NULL AND coalesce(m.forecast_date, m.baseline_date) < $month_end AS is_overdue,
    CASE WHEN m.actual_date IS NULL AND coalesce(m.forecast_date, m.baseline_date) < $month_end
         THEN date_diff('day', coalesce(m.forecast_date, m.baseline_date), $month_end) END AS days_overdue,
    m.previous_slip_days,
    m.slip_change_days,
    m.source_file
FROM mart_milestone_slip AS m
JOIN filtered_projects AS p USING (project_id)
WHERE m.as_of_date <= $month_end
QUALIFY m.as_of_date = max(m.as_of_date) OVER (PARTITION BY m.project_id)
ORDER BY m.project_id, m.baseline_date, m.milestone_id
