-- one row per month of the project's plan (future months carry PV only): the full earned-value history
SELECT
    period, pv, ev, ac, cv, sv, cpi, spi, eac, etc, vac, tcpi, es, at_months, spi_t, sv_t,
    cpi_rag, spi_rag, spi_t_rag, percent_complete, status_report_date, is_future
FROM mart_evm
WHERE project_id = $project_id
ORDER BY period
