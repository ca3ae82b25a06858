-- one row per filtered project for month $period: health score, each driver's score (0-100, NULL = unknown)
-- and input, computed vs declared RAG with the disagreement flag, and why a RAG is grey
SELECT
    p.project_id,
    p.project_name,
    p.portfolio,
    p.programme,
    p.manager,
    h.health_score,
    coalesce(h.health_rag, 'grey') AS health_rag,
    coalesce(h.computed_rag, 'grey') AS computed_rag,
    h.declared_rag,
    coalesce(h.rag_disagrees, false) AS rag_disagrees,
    h.rag_gap,
    h.grey_reason,
    h.cost_score,
    h.schedule_score,
    h.risk_score,
    h.quality_score,
    h.freshness_score,
    h.budgets_gate_failed,
    h.status_gate_failed,
    h.risks_gate_failed,
    h.quality_gate_failed,
    h.score_coverage,
    h.cpi,
    h.spi,
    h.spi_t,
    h.exposure,
    h.pass_rate,
    h.status_age_days,
    h.is_complete,
    h.project_id IS NOT NULL AS has_figures
FROM filtered_projects AS p
LEFT JOIN mart_health AS h ON h.project_id = p.project_id AND h.period = $period
ORDER BY h.health_score NULLS FIRST, p.project_id
