-- one row per milestone of the project at its latest milestone snapshot on or before $month_end
SELECT
    milestone_id, milestone_name, is_gate, baseline_date, forecast_date, actual_date, slip_days, slip_rag,
    is_overdue, slip_change_days, as_of_date, source_file
FROM mart_milestone_slip
WHERE project_id = $project_id AND as_of_date <= $month_end
QUALIFY as_of_date = max(as_of_date) OVER ()
ORDER BY baseline_date, milestone_id
