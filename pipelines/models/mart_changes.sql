-- one row per change request submitted by the report date: decision as it stood then, approval cycle days,
-- and the project's cumulative approved cost and schedule impact in decision order
CREATE OR REPLACE TABLE mart_changes AS
WITH rd AS (
    SELECT as_of_date AS report_date FROM dim_report_date
),
as_then AS (
    SELECT
        c.*,
        rd.report_date,
        -- a decision taken after the report date was still pending then
        CASE WHEN c.decision_date > rd.report_date THEN 'pending' ELSE c.decision END AS decision_then,
        CASE WHEN c.decision_date > rd.report_date THEN NULL ELSE c.decision_date END AS decision_date_then
    FROM stg_changes AS c
    CROSS JOIN rd
    WHERE c.submitted_date IS NULL OR c.submitted_date <= rd.report_date
),
impact AS (
    SELECT
        a.*,
        CASE WHEN a.decision_then = 'approved' THEN coalesce(a.cost_impact, 0) ELSE 0 END AS approved_cost,
        CASE WHEN a.decision_then = 'approved' THEN coalesce(a.schedule_impact_days, 0) ELSE 0 END
            AS approved_schedule_days,
        coalesce(a.decision_date_then, a.submitted_date) AS event_date
    FROM as_then AS a
)
SELECT
    i.change_id,
    i.project_id,
    i.title,
    i.change_type,
    i.submitted_date,
    strftime(i.submitted_date, '%Y-%m') AS submitted_period,
    i.decision_then AS decision,
    i.decision_date_then AS decision_date,
    strftime(i.decision_date_then, '%Y-%m') AS decision_period,
    i.cost_impact,
    i.schedule_impact_days,
    i.decision_then = 'pending' AS is_pending,
    CASE WHEN i.decision_then <> 'pending' THEN date_diff('day', i.submitted_date, i.decision_date_then) END
        AS approval_cycle_days,
    CASE WHEN i.decision_then = 'pending' THEN date_diff('day', i.submitted_date, i.report_date) END
        AS pending_age_days,
    i.approved_cost,
    i.approved_schedule_days,
    i.event_date,
    sum(i.approved_cost) OVER w AS cumulative_approved_cost,
    sum(i.approved_schedule_days) OVER w AS cumulative_approved_schedule_days,
    i._source_file AS source_file,
    i._load_id AS load_id,
    i._source_row AS source_row
FROM impact AS i
WINDOW w AS (PARTITION BY i.project_id ORDER BY i.event_date NULLS LAST, i.change_id
             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);
