-- one row per filtered project closed, cancelled or finished by $month_end (see _closed_projects.sql for when):
-- final schedule and cost variances
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
    cp.closed_on,
    cp.closed_on_estimated,
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
    c.lessons,
    p.currency
FROM mart_closure AS c
JOIN filtered_projects AS p USING (project_id)
JOIN closed_projects AS cp USING (project_id)
ORDER BY cp.closed_on DESC, c.project_id
