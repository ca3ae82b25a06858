-- one row per project per calendar month (period 'YYYY-MM', month_end): PV, EV, AC, variances, indices,
-- forecasts and earned schedule; months after the report month carry PV only.
-- Money is DECIMAL(18,2) (forecasts rounded to the cent); indices and ES are rounded to 4 decimals and banded
-- by index_rag (on the value rounded to [evm] index_decimals).
CREATE OR REPLACE TABLE mart_evm AS
WITH e AS (
    SELECT * FROM int_evm_month
),
curve AS (
    -- the baseline's cumulative plan PV(k) for k = 1 .. PD
    SELECT project_id, month_index AS k, pv_plan AS pv FROM e WHERE pv_plan IS NOT NULL AND month_index <= pd
),
c AS (
    -- C = the last month k <= PD with PV(k) <= EV
    SELECT e.project_id, e.month_index, max(curve.k) AS c
    FROM e
    JOIN curve ON curve.project_id = e.project_id AND curve.pv <= e.ev
    WHERE e.ev IS NOT NULL AND e.pd IS NOT NULL
    GROUP BY e.project_id, e.month_index
),
es AS (
    SELECT
        e.project_id,
        e.month_index,
        coalesce(c.c, 0) AS c,
        CASE
            WHEN coalesce(c.c, 0) < e.pd
                THEN coalesce(c.c, 0) + (e.ev - coalesce(pc.pv, 0)) / nullif(pn.pv - coalesce(pc.pv, 0), 0)
            ELSE e.pd
        END AS es
    FROM e
    LEFT JOIN c USING (project_id, month_index)
    LEFT JOIN curve AS pc ON pc.project_id = e.project_id AND pc.k = coalesce(c.c, 0)
    LEFT JOIN curve AS pn ON pn.project_id = e.project_id AND pn.k = coalesce(c.c, 0) + 1
    WHERE e.ev IS NOT NULL AND e.pd IS NOT NULL
),
gate AS (
    -- which sources' rows of this project and month failed the quality gate (mart_gate_impact): budgets and
    -- status grey the indices here; risks and quality make the health drivers unknown (mart_health reads them)
    SELECT
        e.project_id,
        e.month_index,
        bool_or(g.source = 'budgets') AS budgets_gate_failed,
        bool_or(g.source = 'status') AS status_gate_failed,
        bool_or(g.source = 'risks') AS risks_gate_failed,
        bool_or(g.source = 'quality') AS quality_gate_failed
    FROM e
    JOIN mart_gate_impact AS g
        ON g.project_id = e.project_id
       AND e.month >= g.from_month
       AND (g.to_month IS NULL OR e.month <= g.to_month)
    GROUP BY e.project_id, e.month_index
),
stale AS (
    SELECT max(num) AS after_days FROM cfg_setting WHERE key = 'health.stale_after_days'
),
measures AS (
    SELECT
        e.project_id,
        e.period,
        e.month,
        e.month_end,
        e.month_index,
        e.is_future,
        e.bac,
        e.declared_bac,
        e.bac_mismatch,
        e.planned_cost,
        e.actual_cost,
        e.pv,
        e.ev,
        e.ac,
        CAST(e.ev - e.ac AS DECIMAL(18,2)) AS cv,
        CAST(e.ev - e.pv AS DECIMAL(18,2)) AS sv,
        evm_cpi(e.ev, e.ac) AS cpi,
        evm_spi(e.ev, e.pv) AS spi,
        evm_eac(e.bac, e.ev, e.ac) AS eac,
        e.percent_complete,
        e.status_report_date,
        e.status_age_days,
        e.declared_rag,
        e.status_source_file,
        e.is_complete,
        e.completion_month,
        e.termination_month,
        e.pd,
        es.c AS es_c,
        round(es.es, 4) AS es,
        e.at_months,
        evm_spi_t(es.es, e.at_months) AS spi_t,
        coalesce(g.budgets_gate_failed, false) AS budgets_gate_failed,
        coalesce(g.status_gate_failed, false) AS status_gate_failed,
        coalesce(g.risks_gate_failed, false) AS risks_gate_failed,
        coalesce(g.quality_gate_failed, false) AS quality_gate_failed
    FROM e
    LEFT JOIN es USING (project_id, month_index)
    LEFT JOIN gate AS g USING (project_id, month_index)
)
SELECT
    m.project_id,
    m.period,
    m.month AS month_start,
    m.month_end,
    m.month_index,
    m.is_future,
    m.bac,
    m.declared_bac,
    m.bac_mismatch,
    m.planned_cost,
    m.actual_cost,
    m.pv,
    m.ev,
    m.ac,
    m.cv,
    m.sv,
    m.cpi,
    m.spi,
    m.eac,
    CAST(m.eac - m.ac AS DECIMAL(18,2)) AS etc,
    CAST(m.bac - m.eac AS DECIMAL(18,2)) AS vac,
    evm_tcpi(m.bac, m.ev, m.ac) AS tcpi,
    m.pd,
    m.at_months,
    m.es_c,
    m.es,
    m.spi_t,
    m.es - m.at_months AS sv_t,
    -- an index resting on rows the gate quarantined is unknown (grey), however it computes
    CASE WHEN m.budgets_gate_failed OR m.status_gate_failed THEN 'grey' ELSE index_rag(m.cpi) END AS cpi_rag,
    CASE WHEN m.budgets_gate_failed OR m.status_gate_failed THEN 'grey' ELSE index_rag(m.spi) END AS spi_rag,
    CASE WHEN m.budgets_gate_failed OR m.status_gate_failed THEN 'grey' ELSE index_rag(m.spi_t) END AS spi_t_rag,
    m.budgets_gate_failed,
    m.status_gate_failed,
    m.risks_gate_failed,
    m.quality_gate_failed,
    m.percent_complete,
    m.status_report_date,
    m.status_age_days,
    -- stale: the last report is older than health.stale_after_days (completed projects stop reporting)
    coalesce(m.status_age_days > s.after_days AND NOT m.is_complete, false) AS is_stale,
    m.declared_rag,
    m.is_complete,
    m.completion_month,
    m.termination_month,
    m.status_source_file
FROM measures AS m
CROSS JOIN stale AS s;
