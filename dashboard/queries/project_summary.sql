-- one row: the project's attributes with its health and earned-value figures at $period (NULLs when none)
SELECT
    p.*,
    h.health_score,
    h.health_rag,
    coalesce(h.computed_rag, 'grey') AS computed_rag,
    h.declared_rag,
    h.rag_disagrees,
    h.grey_reason,
    h.health_grey_reason,
    h.cost_score,
    h.schedule_score,
    h.risk_score,
    h.quality_score,
    h.freshness_score,
    h.is_complete,
    h.budgets_gate_failed,
    h.status_gate_failed,
    h.risks_gate_failed,
    h.quality_gate_failed,
    h.exposure,
    h.open_risks,
    h.pass_rate,
    h.status_age_days,
    h.status_report_date,
    e.pv,
    e.ev,
    e.ac,
    e.cpi,
    e.spi,
    e.spi_t,
    e.eac,
    e.vac,
    e.tcpi,
    e.percent_complete
FROM dim_project AS p
LEFT JOIN mart_health AS h ON h.project_id = p.project_id AND h.period = $period
LEFT JOIN mart_evm AS e ON e.project_id = p.project_id AND e.period = $period
WHERE p.project_id = $project_id
