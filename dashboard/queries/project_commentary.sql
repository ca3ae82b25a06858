-- one row per status report of the project on or before $month_end, newest first
SELECT
    report_date, overall_rag, schedule_rag, cost_rag, scope_rag, percent_complete, forecast_finish_date,
    forecast_slip_days, summary, reported_by, source_file
FROM mart_status_feed
WHERE project_id = $project_id AND report_date <= $month_end
ORDER BY report_date DESC
