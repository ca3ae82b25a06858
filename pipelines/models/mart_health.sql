-- one row per project per calendar month up to the report month: health score 0-100 from weighted drivers
-- (cost, schedule, risk, quality, freshness) shown with their inputs, computed RAG vs declared RAG
CREATE OR REPLACE TABLE mart_health AS
WITH cfg AS (
    SELECT
        max(num) FILTER (WHERE key = 'health.quality.window_months') AS quality_window,
        max(num) FILTER (WHERE key = 'quality.conditional_counts_as') AS conditional_weight
    FROM cfg_setting
),
driver AS (
    SELECT
        max(weight) FILTER (WHERE driver = 'cost') AS w_cost,
        max(full_at) FILTER (WHERE driver = 'cost') AS cost_full,
        max(zero_at) FILTER (WHERE driver = 'cost') AS cost_zero,
        max(weight) FILTER (WHERE driver = 'schedule') AS w_schedule,
        max(full_at) FILTER (WHERE driver = 'schedule') AS schedule_full,
        max(zero_at) FILTER (WHERE driver = 'schedule') AS schedule_zero,
        max(weight) FILTER (WHERE driver = 'risk') AS w_risk,
        max(full_at) FILTER (WHERE driver = 'risk') AS risk_full,
        max(zero_at) FILTER (WHERE driver = 'risk') AS risk_zero,
        max(weight) FILTER (WHERE driver = 'quality') AS w_quality,
        max(full_at) FILTER (WHERE driver = 'quality') AS quality_full,
        max(zero_at) FILTER (WHERE driver = 'quality') AS quality_zero,
        max(weight) FILTER (WHERE driver = 'freshness') AS w_freshness,
        max(full_at) FILTER (WHERE driver = 'freshness') AS freshness_full,
        max(zero_at) FILTER (WHERE driver = 'freshness') AS freshness_zero,
        bool_or(required) FILTER (WHERE driver = 'cost') AS cost_required,
        bool_or(required) FILTER (WHERE driver = 'schedule') AS schedule_required,
        bool_or(required) FILTER (WHERE driver = 'risk') AS risk_required,
        bool_or(required) FILTER (WHERE driver = 'quality') AS quality_required,
        bool_or(required) FILTER (WHERE driver = 'freshness') AS freshness_required
    FROM cfg_health_driver
),
health_band AS (
    SELECT
        max(min_score) FILTER (WHERE rag = 'green') AS green_from,
        max(min_score) FILTER (WHERE rag = 'amber') AS amber_from
    FROM cfg_health_band
),
e AS (
    SELECT *, least(month_end, (SELECT as_of_date FROM dim_report_date)) AS cutoff_date
    FROM mart_evm
    WHERE NOT is_future
),
risk AS (
    -- the project's latest risk snapshot on or before the month end
    SELECT e.project_id, e.month_start, x.as_of_date AS risk_as_of_date, x.exposure, x.open_risks,
           x.open_escalated
    FROM e
    ASOF JOIN mart_risk_exposure AS x ON e.project_id = x.project_id AND e.cutoff_date >= x.as_of_date
),
quality AS (
    -- checks of the last `quality_window` months up to this month
    SELECT
        e.project_id,
        e.month_start,
        CAST(sum(q.checks) AS BIGINT) AS quality_checks,
        (sum(q.passed) + any_value(cfg.conditional_weight) * sum(q.conditional)) / nullif(sum(q.checks), 0)
            AS pass_rate
    FROM e
    JOIN mart_quality AS q
        ON q.project_id = e.project_id
       AND q.month_start <= e.month_start
       AND q.month_start > e.month_start - to_months(CAST((SELECT quality_window FROM cfg) AS INTEGER))
    CROSS JOIN cfg
    GROUP BY e.project_id, e.month_start
),
inputs AS (
    SELECT
        e.project_id,
        e.period,
        e.month_start,
        e.month_end,
        e.bac,
        e.pv,
        e.ev,
        e.ac,
        e.cpi,
        e.spi,
        e.spi_t,
        e.cpi_rag,
        e.spi_rag,
        e.spi_t_rag,
        e.percent_complete,
        e.status_report_date,
        e.status_age_days,
        e.is_stale,
        e.is_complete,
        e.declared_rag,
        r.risk_as_of_date,
        r.exposure,
        r.open_risks,
        r.open_escalated,
        q.pass_rate,
        q.quality_checks,
        e.budgets_gate_failed,
        e.status_gate_failed,
        e.risks_gate_failed,
        e.quality_gate_failed
    FROM e
    LEFT JOIN risk AS r USING (project_id, month_start)
    LEFT JOIN quality AS q USING (project_id, month_start)
),
scored AS (
    SELECT
        i.*,
        CASE WHEN NOT i.budgets_gate_failed AND NOT i.status_gate_failed
             THEN linear_score(i.cpi, d.cost_full, d.cost_zero) END AS cost_score,
        CASE WHEN NOT i.budgets_gate_failed AND NOT i.status_gate_failed
             THEN linear_score(i.spi_t, d.schedule_full, d.schedule_zero) END AS schedule_score,
        CASE WHEN NOT i.risks_gate_failed THEN linear_score(i.exposure, d.risk_full, d.risk_zero) END
            AS risk_score,
        CASE WHEN NOT i.quality_gate_failed THEN linear_score(i.pass_rate, d.quality_full, d.quality_zero) END
            AS quality_score,
        -- no report at all scores 0; a completed project no longer reports (not applicable)
        CASE
            WHEN i.is_complete THEN NULL
            WHEN i.status_report_date IS NULL THEN 0.0
            ELSE linear_score(i.status_age_days, d.freshness_full, d.freshness_zero)
        END AS freshness_score,
        concat_ws('; ',
            CASE WHEN i.bac IS NULL THEN 'no budget plan (BAC unknown)' END,
            CASE WHEN i.bac IS NOT NULL AND i.status_report_date IS NULL THEN 'no status report yet (EV unknown)' END,
            CASE WHEN i.status_report_date IS NOT NULL AND i.percent_complete IS NULL
                 THEN 'status report without percent complete (EV unknown)' END,
            CASE WHEN i.ev IS NOT NULL AND coalesce(i.ac, 0) = 0 THEN 'no actual cost booked (CPI unknown)' END,
            CASE WHEN i.ev IS NOT NULL AND coalesce(i.pv, 0) = 0 THEN 'planned value is 0 (SPI unknown)' END,
            CASE WHEN i.is_stale THEN 'status report stale (' || i.status_age_days || ' days old)' END,
            CASE WHEN i.budgets_gate_failed THEN 'budgets failed the quality gate' END,
            CASE WHEN i.status_gate_failed THEN 'status failed the quality gate' END
        ) AS reasons
    FROM inputs AS i
    CROSS JOIN driver AS d
),
weighed AS (
    SELECT
        s.*,
        CASE
            WHEN s.reasons <> '' THEN s.reasons
            WHEN 'grey' IN (s.cpi_rag, s.spi_rag, s.spi_t_rag) THEN 'an EVM index is unknown'
        END AS grey_reason,
        coalesce(d.w_cost * s.cost_score, 0) + coalesce(d.w_schedule * s.schedule_score, 0)
            + coalesce(d.w_risk * s.risk_score, 0) + coalesce(d.w_quality * s.quality_score, 0)
            + coalesce(d.w_freshness * s.freshness_score, 0) AS weighted_sum,
        CASE WHEN s.cost_score IS NULL THEN 0 ELSE d.w_cost END
            + CASE WHEN s.schedule_score IS NULL THEN 0 ELSE d.w_schedule END
            + CASE WHEN s.risk_score IS NULL THEN 0 ELSE d.w_risk END
            + CASE WHEN s.quality_score IS NULL THEN 0 ELSE d.w_quality END
            + CASE WHEN s.freshness_score IS NULL THEN 0 ELSE d.w_freshness END AS known_weight,
        d.w_cost + d.w_schedule + d.w_risk + d.w_quality + d.w_freshness AS total_weight,
        -- the coverage rule: no score without every required driver ([health] required_drivers), nor while
        -- any driver's input failed the gate (the score would rest on the rest and could look rosier)
        nullif(concat_ws('; ',
            CASE WHEN d.cost_required AND s.cost_score IS NULL THEN 'cost driver unknown' END,
            CASE WHEN d.schedule_required AND s.schedule_score IS NULL THEN 'schedule driver unknown' END,
            CASE WHEN d.risk_required AND s.risk_score IS NULL THEN 'risk driver unknown' END,
            CASE WHEN d.quality_required AND s.quality_score IS NULL THEN 'quality driver unknown' END,
            CASE WHEN d.freshness_required AND s.freshness_score IS NULL AND NOT s.is_complete
                 THEN 'freshness driver unknown' END,
            CASE WHEN s.risks_gate_failed THEN 'risks failed the quality gate (risk driver unknown)' END,
            CASE WHEN s.quality_gate_failed THEN 'quality failed the quality gate (quality driver unknown)' END
        ), '') AS coverage_reason
    FROM scored AS s
    CROSS JOIN driver AS d
),
rated AS (
    SELECT
        w.*,
        -- rounded to one decimal: the value shown and the one compared with the health bands
        CASE WHEN w.coverage_reason IS NULL THEN round(w.weighted_sum / nullif(w.known_weight, 0), 1) END
            AS health_score,
        round(w.known_weight / nullif(w.total_weight, 0), 4) AS score_coverage,
        CASE WHEN w.grey_reason IS NOT NULL THEN 'grey'
             ELSE rag_of_rank(greatest(rag_rank(w.cpi_rag), rag_rank(w.spi_rag), rag_rank(w.spi_t_rag)))
        END AS computed_rag
    FROM weighed AS w
),
final AS (
    SELECT
        r.*,
        CASE
            WHEN r.health_score IS NULL THEN 'grey'
            WHEN r.health_score >= b.green_from THEN 'green'
            WHEN r.health_score >= b.amber_from THEN 'amber'
            ELSE 'red'
        END AS score_rag
    FROM rated AS r
    CROSS JOIN health_band AS b
)
SELECT
    f.project_id,
    f.period,
    f.month_start,
    f.month_end,
    f.health_score,
    -- never better than the computed RAG: the worse of the score's band and the computed RAG (grey when
    -- either is unknown), so green health never sits beside a red index for the same project and month
    CASE WHEN 'grey' IN (f.score_rag, f.computed_rag) THEN 'grey'
         ELSE rag_of_rank(greatest(rag_rank(f.score_rag), rag_rank(f.computed_rag)))
    END AS health_rag,
    f.score_rag,
    coalesce(f.score_rag NOT IN ('grey') AND f.computed_rag NOT IN ('grey')
             AND rag_rank(f.computed_rag) > rag_rank(f.score_rag), false) AS health_capped,
    nullif(concat_ws('; ', f.grey_reason, f.coverage_reason,
                     CASE WHEN f.coverage_reason IS NULL AND f.health_score IS NULL THEN 'no driver is known' END),
           '') AS health_grey_reason,
    f.computed_rag,
    f.declared_rag,
    coalesce(f.declared_rag IN ('green', 'amber', 'red') AND f.computed_rag IN ('green', 'amber', 'red')
             AND f.declared_rag <> f.computed_rag, false) AS rag_disagrees,
    -- > 0: the project reports itself rosier than its numbers ("watermelon"); < 0: more pessimistic
    CASE WHEN f.declared_rag IN ('green', 'amber', 'red') AND f.computed_rag IN ('green', 'amber', 'red')
         THEN rag_rank(f.computed_rag) - rag_rank(f.declared_rag) END AS rag_gap,
    f.grey_reason,
    round(f.cost_score, 1) AS cost_score,
    round(f.schedule_score, 1) AS schedule_score,
    round(f.risk_score, 1) AS risk_score,
    round(f.quality_score, 1) AS quality_score,
    round(f.freshness_score, 1) AS freshness_score,
    f.score_coverage,
    f.cpi,
    f.spi,
    f.spi_t,
    f.cpi_rag,
    f.spi_rag,
    f.spi_t_rag,
    f.exposure,
    f.open_risks,
    f.open_escalated,
    f.risk_as_of_date,
    f.pass_rate,
    f.quality_checks,
    f.status_age_days,
    f.status_report_date,
    f.is_stale,
    f.is_complete,
    f.budgets_gate_failed,
    f.status_gate_failed,
    f.risks_gate_failed,
    f.quality_gate_failed,
    f.bac,
    f.pv,
    f.ev,
    f.ac,
    f.percent_complete
FROM final AS f;
