-- one row per month of project $project_id: cumulative PV (the whole plan, future months included) and EV / AC
-- as they stood at $period (NULL after it), with the indices of each month
SELECT
    e.project_id,
    e.period,
    e.month_end,
    e.bac,
    e.pv AS pv_plan,
    CASE WHEN e.period <= $period THEN e.pv END AS pv,
    CASE WHEN e.period <= $period THEN e.ev END AS ev,
    CASE WHEN e.period <= $period THEN e.ac END AS ac,
    CASE WHEN e.period <= $period THEN e.cpi END AS cpi,
    CASE WHEN e.period <= $period THEN e.spi END AS spi,
    CASE WHEN e.period <= $period THEN e.spi_t END AS spi_t,
    CASE WHEN e.period <= $period THEN e.eac END AS eac
FROM mart_evm AS e
WHERE e.project_id = $project_id
ORDER BY e.period
