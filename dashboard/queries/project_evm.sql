-- one row per month of the project's plan, the latest reported month first, then the history, then the future
-- months (PV only)
SELECT
    period, pv, ev, ac, cv, sv, cpi, spi, eac, etc, vac, tcpi, es, at_months, spi_t, sv_t,
    cpi_rag, spi_rag, spi_t_rag, percent_complete, status_report_date, is_future,
    (SELECT currency FROM dim_project WHERE project_id = $project_id) AS currency
FROM mart_evm
WHERE project_id = $project_id
ORDER BY is_future, period DESC
