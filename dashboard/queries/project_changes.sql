-- one row per change request of the project submitted on or before $month_end
SELECT
    change_id, title, change_type, submitted_date, decision, decision_date, approval_cycle_days, cost_impact,
    schedule_impact_days, cumulative_approved_cost, cumulative_approved_schedule_days,
    (SELECT currency FROM dim_project WHERE project_id = $project_id) AS currency, source_file
FROM mart_changes
WHERE project_id = $project_id AND submitted_date <= $month_end
ORDER BY submitted_date DESC, change_id
