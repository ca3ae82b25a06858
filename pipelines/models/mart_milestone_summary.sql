-- one row per project per milestone snapshot (as_of_date): counts, on-time rate of completed milestones,
-- overdue milestones and the largest slip
CREATE OR REPLACE TABLE mart_milestone_summary AS
SELECT
    project_id,
    as_of_date,
    period,
    count(*) AS milestones,
    count(*) FILTER (WHERE is_gate) AS gates,
    count(*) FILTER (WHERE is_complete) AS completed,
    count(*) FILTER (WHERE is_complete AND on_time) AS completed_on_time,
    count(*) FILTER (WHERE is_complete AND on_time) / nullif(count(*) FILTER (WHERE is_complete), 0)
        AS on_time_rate,
    count(*) FILTER (WHERE is_overdue) AS overdue,
    count(*) FILTER (WHERE slip_change_days > 0) AS slipped_since_previous,
    max(slip_days) AS max_slip_days,
    max(slip_days) FILTER (WHERE NOT is_complete) AS max_open_slip_days
FROM mart_milestone_slip
GROUP BY project_id, as_of_date, period;
