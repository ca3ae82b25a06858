-- one row per milestone of the filtered projects that slipped further between each project's latest
-- milestone snapshot on or before $previous_end and its latest on or before $month_end
WITH milestone AS (
    SELECT m.*, p.project_name
    FROM mart_milestone_slip AS m
    JOIN filtered_projects AS p USING (project_id)
    WHERE m.as_of_date <= $month_end
),
after AS (
    SELECT * FROM milestone QUALIFY as_of_date = max(as_of_date) OVER (PARTITION BY project_id)
),
before AS (
    SELECT * FROM milestone WHERE as_of_date <= $previous_end
    QUALIFY as_of_date = max(as_of_date) OVER (PARTITION BY project_id)
)
SELECT
    a.project_id,
    a.project_name,
    a.milestone_id,
    a.milestone_name,
    a.baseline_date,
    b.forecast_date AS forecast_before,
    coalesce(a.actual_date, a.forecast_date) AS forecast_after,
    b.slip_days AS slip_before,
    a.slip_days AS slip_after
FROM after AS a
JOIN before AS b USING (project_id, milestone_id)
WHERE a.as_of_date > $previous_end AND a.slip_days > coalesce(b.slip_days, 0)
ORDER BY a.slip_days - coalesce(b.slip_days, 0) DESC, a.project_id, a.milestone_id
