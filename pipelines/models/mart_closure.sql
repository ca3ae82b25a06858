-- one row per closed, cancelled or finished project: final schedule and cost variances at the report month
CREATE OR REPLACE TABLE mart_closure AS
WITH rd AS (
    SELECT as_of_date AS report_date, as_of_period FROM dim_report_date
),
final_month AS (
    -- the project's last month up to the report month
    SELECT e.*
    FROM mart_evm AS e
    WHERE NOT e.is_future
    QUALIFY row_number() OVER (PARTITION BY e.project_id ORDER BY e.month_start DESC) = 1
),
lessons AS (
    SELECT project_id, count(*) AS lessons FROM stg_lessons GROUP BY project_id
)
SELECT
    p.project_id,
    p.project_name,
    p.portfolio,
    p.programme,
    p.department,
    p.manager,
    p.status,
    p.start_date,
    p.planned_finish_date,
    p.actual_finish_date,
    strftime(p.actual_finish_date, '%Y-%m') AS closed_period,
    date_diff('day', p.planned_finish_date, p.actual_finish_date) AS finish_slip_days,
    p.bac,
    p.declared_bac,
    f.percent_complete AS final_percent_complete,
    f.ev AS final_ev,
    f.ac AS final_ac,
    f.cv AS final_cv,
    f.cpi AS final_cpi,
    f.spi AS final_spi,
    f.spi_t AS final_spi_t,
    f.sv_t AS final_sv_t,
    f.pd AS planned_duration_months,
    f.at_months AS actual_duration_months,
    p.bac - f.ac AS cost_variance,
    (p.bac - f.ac) / nullif(p.bac, 0) AS cost_variance_pct,
    f.cpi_rag AS final_cpi_rag,
    f.spi_t_rag AS final_spi_t_rag,
    coalesce(l.lessons, 0) AS lessons
FROM dim_project AS p
CROSS JOIN rd
LEFT JOIN final_month AS f USING (project_id)
LEFT JOIN lessons AS l USING (project_id)
WHERE p.status IN ('closed', 'cancelled') OR p.actual_finish_date <= rd.report_date;
