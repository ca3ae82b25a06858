-- one row per filtered project for month $period: SPI (cost based) next to earned schedule (ES, AT, SPI(t),
-- SV(t) in months) and their RAG; NULL where an index cannot be computed
SELECT
    p.project_id,
    p.project_name,
    p.planned_finish_date,
    p.actual_finish_date,
    e.percent_complete,
    e.is_complete,
    e.pv,
    e.ev,
    e.spi,
    e.spi_rag,
    e.pd,
    e.at_months,
    e.es,
    e.spi_t,
    e.sv_t,
    coalesce(e.spi_t_rag, 'grey') AS spi_t_rag
FROM filtered_projects AS p
LEFT JOIN mart_evm AS e ON e.project_id = p.project_id AND e.period = $period
ORDER BY p.project_id
