-- one row per filtered project with its figures at $period: active flag, indices, EAC, health and drivers,
-- computed vs declared RAG, why a RAG is grey, open escalated risks (the KPI tiles, bubble chart, attention list)
SELECT
    p.project_id,
    p.project_name,
    p.portfolio,
    p.programme,
    p.manager,
    p.currency,
    -- active at the month end: started and not yet finished (closed without a finish date = not active)
    p.start_date <= $month_end
        AND CASE WHEN p.actual_finish_date IS NOT NULL THEN p.actual_finish_date > $month_end
                 ELSE p.status = 'active' END AS is_active,
    p.bac,
    e.eac,
    h.cpi,
    h.spi,
    h.spi_t,
    h.cpi_rag,
    h.spi_rag,
    h.spi_t_rag,
    coalesce(h.computed_rag, 'grey') AS computed_rag,
    h.declared_rag,
    h.rag_disagrees,
    h.health_score,
    coalesce(h.health_rag, 'grey') AS health_rag,
    coalesce(h.health_capped, false) AS health_capped,
    h.health_grey_reason,
    h.risk_score,
    h.quality_score,
    h.exposure,
    h.pass_rate,
    coalesce(h.open_escalated, 0) AS open_escalated,
    h.percent_complete,
    coalesce(h.grey_reason, CASE WHEN h.project_id IS NULL THEN 'no figures for this month' END) AS grey_reason
FROM filtered_projects AS p
LEFT JOIN mart_health AS h ON h.project_id = p.project_id AND h.period = $period
LEFT JOIN mart_evm AS e ON e.project_id = p.project_id AND e.period = $period
ORDER BY p.project_id
