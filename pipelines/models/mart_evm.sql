-- one row per project per calendar month (period 'YYYY-MM', month_end): PV, EV, AC, variances, indices,
-- forecasts and earned schedule; months after the report month carry PV only
CREATE OR REPLACE TABLE mart_evm AS
WITH e AS (
    SELECT * FROM int_evm_month
),
curve AS (
    -- the cumulative plan PV(k) for k = 1 .. PD
    SELECT project_id, month_index AS k, pv FROM e WHERE pv IS NOT NULL AND month_index <= pd
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
bands AS (
    SELECT
        max(low) FILTER (WHERE rag = 'green') AS g_lo,
        max(high) FILTER (WHERE rag = 'green') AS g_hi,
        max(low) FILTER (WHERE rag = 'amber') AS a_lo,
        max(high) FILTER (WHERE rag = 'amber') AS a_hi
    FROM cfg_rag_band
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
        e.ev - e.ac AS cv,
        e.ev - e.pv AS sv,
        e.ev / nullif(e.ac, 0) AS cpi,
        e.ev / nullif(e.pv, 0) AS spi,
        e.percent_complete,
        e.status_report_date,
        e.status_age_days,
        e.declared_rag,
        e.status_source_file,
        e.is_complete,
        e.completion_month,
        e.pd,
        es.c AS es_c,
        es.es,
        e.at_months
    FROM e
    LEFT JOIN es USING (project_id, month_index)
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
    m.bac / nullif(m.cpi, 0) AS eac,
    m.bac / nullif(m.cpi, 0) - m.ac AS etc,
    m.bac - m.bac / nullif(m.cpi, 0) AS vac,
    -- no cost booked yet (AC = 0): cost performance is unknown, so TCPI is too; budget spent (AC >= BAC):
    -- no efficiency can finish within BAC, so the BAC-based TCPI is undefined (not negative)
    CASE WHEN m.ac > 0 AND m.ac < m.bac THEN (m.bac - m.ev) / (m.bac - m.ac) END AS tcpi,
    m.pd,
    m.at_months,
    m.es_c,
    m.es,
    m.es / nullif(m.at_months, 0) AS spi_t,
    m.es - m.at_months AS sv_t,
    index_rag(m.cpi, b.g_lo, b.g_hi, b.a_lo, b.a_hi) AS cpi_rag,
    index_rag(m.spi, b.g_lo, b.g_hi, b.a_lo, b.a_hi) AS spi_rag,
    index_rag(m.es / nullif(m.at_months, 0), b.g_lo, b.g_hi, b.a_lo, b.a_hi) AS spi_t_rag,
    m.percent_complete,
    m.status_report_date,
    m.status_age_days,
    -- stale: the last report is older than health.stale_after_days (completed projects stop reporting)
    coalesce(m.status_age_days > s.after_days AND NOT m.is_complete, false) AS is_stale,
    m.declared_rag,
    m.is_complete,
    m.completion_month,
    m.status_source_file
FROM measures AS m
CROSS JOIN bands AS b
CROSS JOIN stale AS s;
