-- one row per milestone as it stood at $month_end (each project's latest milestone snapshot on or before it), of
-- the filtered projects, or of the projects in $project_ids when given. A milestone is open when not done and its
-- project not closed or cancelled by $month_end; overdue = open and its baseline date (the commitment) before
-- $month_end, whatever the forecast says, as mart_milestone_slip.is_overdue
WITH milestone AS (
    SELECT
        m.*,
        p.project_name,
        m.project_id IN (SELECT project_id FROM closed_projects) AS project_closed
    FROM mart_milestone_slip AS m
    JOIN dim_project AS p USING (project_id)
    WHERE m.as_of_date <= $month_end
      AND CASE WHEN len($project_ids) = 0 THEN m.project_id IN (SELECT project_id FROM filtered_projects)
               ELSE list_contains($project_ids, m.project_id) END
    QUALIFY m.as_of_date = max(m.as_of_date) OVER (PARTITION BY m.project_id)
),
flagged AS (
    SELECT
        *,
        actual_date IS NULL AND NOT project_closed AS is_open,
        actual_date IS NULL AND NOT project_closed AND baseline_date < $month_end AS is_overdue
    FROM milestone
)
SELECT
    project_id,
    project_name,
    milestone_id,
    milestone_name,
    is_gate,
    as_of_date,
    baseline_date,
    forecast_date,
    actual_date,
    slip_days,
    slip_rag,
    is_complete,
    on_time,
    project_closed,
    is_open,
    is_overdue,
    CASE WHEN is_overdue THEN date_diff('day', baseline_date, $month_end) END AS days_overdue,
    previous_slip_days,
    slip_change_days,
    source_file
FROM flagged
ORDER BY project_id, baseline_date, milestone_id
