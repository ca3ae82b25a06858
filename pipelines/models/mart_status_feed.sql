-- one row per status report on or before the report date: commentary, declared RAGs and their change
-- against the project's previous report, forecast finish vs planned finish
CREATE OR REPLACE TABLE mart_status_feed AS
WITH rd AS (
    SELECT as_of_date AS report_date FROM dim_report_date
)
SELECT
    s.project_id,
    p.project_name,
    s.report_date,
    strftime(s.report_date, '%Y-%m') AS period,
    s.percent_complete,
    s.overall_rag,
    s.schedule_rag,
    s.cost_rag,
    s.scope_rag,
    s.overall_rag_as_reported,
    lag(s.overall_rag) OVER w AS previous_overall_rag,
    CASE
        WHEN lag(s.overall_rag) OVER w IS NULL OR s.overall_rag IS NULL THEN NULL
        WHEN rag_rank(s.overall_rag) > rag_rank(lag(s.overall_rag) OVER w) THEN 'worse'
        WHEN rag_rank(s.overall_rag) < rag_rank(lag(s.overall_rag) OVER w) THEN 'better'
        ELSE 'same'
    END AS rag_change,
    s.percent_complete - lag(s.percent_complete) OVER w AS progress_since_previous,
    s.forecast_finish_date,
    p.planned_finish_date,
    date_diff('day', p.planned_finish_date, s.forecast_finish_date) AS forecast_slip_days,
    s.summary,
    s.reported_by,
    s._source_file AS source_file,
    s._load_id AS load_id,
    s._source_row AS source_row
FROM stg_status AS s
CROSS JOIN rd
LEFT JOIN dim_project AS p USING (project_id)
WHERE s.report_date <= rd.report_date
WINDOW w AS (PARTITION BY s.project_id ORDER BY s.report_date);
