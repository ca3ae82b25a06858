-- one row per project closed, cancelled or finished by $month_end. Closed on = the actual finish date; a closed or
-- cancelled project without one counts from its last status report (else from the report date): closed_on_estimated
SELECT
    c.project_id,
    coalesce(c.actual_finish_date, lr.last_report_date, rd.as_of_date) AS closed_on,
    c.actual_finish_date IS NULL AS closed_on_estimated
FROM mart_closure AS c
LEFT JOIN (SELECT project_id, max(report_date) AS last_report_date FROM mart_status_feed GROUP BY project_id) AS lr
    USING (project_id)
CROSS JOIN dim_report_date AS rd
WHERE coalesce(c.actual_finish_date, lr.last_report_date, rd.as_of_date) <= $month_end
