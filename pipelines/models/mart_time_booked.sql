-- one row per project, person and ISO week (week_start = Monday) with hours booked, up to the report date: which
-- people worked on which projects, so the people-based Resources page can follow the sidebar's project filters
CREATE OR REPLACE TABLE mart_time_booked AS
SELECT
    t.project_id,
    t.employee_id,
    CAST(date_trunc('week', t.work_date) AS DATE) AS week_start,
    sum(t.hours) AS hours_logged,
    coalesce(sum(t.hours) FILTER (WHERE t.billable), 0) AS billable_hours
FROM stg_timesheets AS t
CROSS JOIN dim_report_date AS rd
WHERE t.work_date <= rd.as_of_date AND t.project_id IS NOT NULL AND in_week_slice(t.work_date)
GROUP BY ALL
ORDER BY t.project_id, t.employee_id, week_start;
