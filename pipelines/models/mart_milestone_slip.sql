-- one row per milestone per snapshot (as_of_date): slip_days = coalesce(actual, forecast) - baseline,
-- on-time / overdue flags and the slip change against the milestone's previous snapshot
CREATE OR REPLACE TABLE mart_milestone_slip AS
WITH rd AS (
    SELECT as_of_date AS report_date FROM dim_report_date
),
cfg AS (
    SELECT
        max(num) FILTER (WHERE key = 'milestones.on_time_tolerance_days') AS tolerance,
        max(num) FILTER (WHERE key = 'milestones.amber_slip_days') AS amber_days,
        max(num) FILTER (WHERE key = 'milestones.red_slip_days') AS red_days
    FROM cfg_setting
),
slipped AS (
    SELECT
        m.*,
        date_diff('day', m.baseline_date, coalesce(m.actual_date, m.forecast_date)) AS slip_days
    FROM stg_milestones AS m
    CROSS JOIN rd
    WHERE m.as_of_date <= rd.report_date
)
SELECT
    s.project_id,
    s.milestone_id,
    s.milestone_name,
    s.as_of_date,
    strftime(s.as_of_date, '%Y-%m') AS period,
    s.baseline_date,
    s.forecast_date,
    s.actual_date,
    s.slip_days,
    s.is_gate,
    s.is_baseline,
    s.actual_date IS NOT NULL AS is_complete,
    -- overdue: not done and its baseline date (the commitment) has passed at the snapshot, whatever the forecast
    -- says; a forecast slip of a milestone not yet due is slip, not overdue
    s.actual_date IS NULL AND s.baseline_date < s.as_of_date AS is_overdue,
    CASE WHEN s.slip_days IS NOT NULL THEN s.slip_days <= cfg.tolerance END AS on_time,
    CASE
        WHEN s.slip_days IS NULL THEN 'grey'
        WHEN s.slip_days > cfg.red_days THEN 'red'
        WHEN s.slip_days > cfg.amber_days THEN 'amber'
        ELSE 'green'
    END AS slip_rag,
    lag(s.as_of_date) OVER w AS previous_as_of_date,
    lag(s.slip_days) OVER w AS previous_slip_days,
    s.slip_days - lag(s.slip_days) OVER w AS slip_change_days,
    lag(s.as_of_date) OVER w IS NULL AS is_new,
    s._source_file AS source_file,
    s._load_id AS load_id,
    s._source_row AS source_row
FROM slipped AS s
CROSS JOIN cfg
WINDOW w AS (PARTITION BY s.project_id, s.milestone_id ORDER BY s.as_of_date);
