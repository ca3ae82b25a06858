-- one row per filtered project closed, cancelled or finished by $month_end: final schedule and cost variances.
-- Closed on = the actual finish date; a closed or cancelled project without one counts from its last status
-- report (else from the report date), flagged closed_on_estimated
WITH last_report AS (
    SELECT project_id, max(report_date) AS last_report_date FROM mart_status_feed GROUP BY project_id
)
SELECT
    c.project_id,
    c.project_name,
    c.portfolio,
    c.programme,
    c.manager,
    c.status,
    c.start_date,
    c.planned_finish_date,
    c.actual_finish_date,
    coalesce(c.actual_finish_date, lr.last_report_date, rd.as_of_date) AS closed_on,
    c.actual_finish_date IS NULL AS closed_on_estimated,
    c.finish_slip_days,
    c.bac,
    c.final_ac,
    c.final_ev,
    c.final_percent_complete,
    c.cost_variance,
    c.cost_variance_pct,
    c.final_cpi,
    c.final_spi,
    c.final_spi_t,
    c.final_sv_t,
    coalesce(c.final_cpi_rag, 'grey') AS final_cpi_rag,
    coalesce(c.final_spi_t_rag, 'grey') AS final_spi_t_rag,
    c.planned_duration_months,
    c.actual_duration_months,
    c.lessons
FROM mart_closure AS c
JOIN filtered_projects AS p USING (project_id)
LEFT JOIN last_report AS lr USING (project_id)
CROSS JOIN dim_report_date AS rd
WHERE coalesce(c.actual_finish_date, lr.last_report_date, rd.as_of_date) <= $month_end
ORDER BY closed_on DESC, c.project_id
