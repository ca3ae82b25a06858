-- one row per project per calendar month, from the first planned month to the latest of (report month,
-- planned finish month, last planned month): PV, AC, the latest status report, completion and PD.
-- Money is DECIMAL(18,2) throughout: sums are exact, whatever order DuckDB's threads add them in.
CREATE OR REPLACE TEMP TABLE int_evm_month AS
WITH rd AS (
    SELECT as_of_date, as_of_month FROM dim_report_date
),
budget_month AS (
    SELECT project_id, month, sum(planned_cost) AS planned_cost, sum(actual_cost) AS actual_cost
    FROM stg_budgets
    GROUP BY project_id, month
),
span AS (
    SELECT
        p.project_id,
        p.bac,
        p.declared_bac,
        p.bac_mismatch,
        p.is_closed,
        CASE WHEN p.actual_finish_date <= rd.as_of_date THEN p.actual_finish_date END AS actual_finish_date,
        coalesce(p.first_planned_month, month_of(p.start_date)) AS first_month,
        greatest(rd.as_of_month, month_of(p.planned_finish_date), p.last_planned_month) AS last_month
    FROM dim_project AS p
    CROSS JOIN rd
),
grid AS (
    SELECT
        s.*,
        CAST(unnest(generate_series(CAST(s.first_month AS TIMESTAMP), CAST(s.last_month AS TIMESTAMP),
                                    INTERVAL 1 MONTH)) AS DATE) AS month
    FROM span AS s
    WHERE s.first_month IS NOT NULL
),
costed AS (
    SELECT
        g.project_id,
        g.month,
        strftime(g.month, '%Y-%m') AS period,
        last_day(g.month) AS month_end,
        least(last_day(g.month), rd.as_of_date) AS cutoff_date,
        g.first_month,
        date_diff('month', g.first_month, g.month) + 1 AS month_index,
        g.month > rd.as_of_month AS is_future,
        g.bac,
        g.declared_bac,
        g.bac_mismatch,
        g.is_closed,
        g.actual_finish_date,
        b.planned_cost,
        CASE WHEN g.month <= rd.as_of_month THEN b.actual_cost END AS actual_cost,
        -- the baseline's cumulative plan; a terminated project's PV stops growing below (pv)
        CASE WHEN g.bac IS NOT NULL THEN CAST(sum(coalesce(b.planned_cost, 0)) OVER w AS DECIMAL(18,2)) END
            AS pv_plan,
        CASE WHEN g.bac IS NOT NULL AND g.month <= rd.as_of_month
             THEN CAST(sum(coalesce(b.actual_cost, 0)) OVER w AS DECIMAL(18,2)) END AS ac
    FROM grid AS g
    LEFT JOIN budget_month AS b USING (project_id, month)
    CROSS JOIN rd
    WINDOW w AS (PARTITION BY g.project_id ORDER BY g.month ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
reported AS (
    -- the latest status report on or before the month end (or the report date, whichever is earlier)
    SELECT
        c.*,
        CASE WHEN NOT c.is_future THEN s.report_date END AS status_report_date,
        CASE WHEN NOT c.is_future THEN s.percent_complete END AS percent_complete,
        CASE WHEN NOT c.is_future THEN s.overall_rag END AS declared_rag,
        CASE WHEN NOT c.is_future THEN s._source_file END AS status_source_file
    FROM costed AS c
    ASOF LEFT JOIN stg_status AS s
        ON c.project_id = s.project_id AND c.cutoff_date >= s.report_date
),
marked AS (
    SELECT
        r.*,
        -- exact (in 38 digits: no overflow), rounded to the cent
        CAST(CAST(r.percent_complete AS DECIMAL(38,4)) * r.bac * 0.01 AS DECIMAL(18,2)) AS ev,
        date_diff('day', r.status_report_date, r.cutoff_date) AS status_age_days,
        -- completed: the month of actual_finish_date (if reached), else the first month reported 100 %,
        -- else for a closed or cancelled project the month of its last status report (it stopped there)
        coalesce(month_of(r.actual_finish_date),
                 min(r.month) FILTER (WHERE r.percent_complete >= 100) OVER (PARTITION BY r.project_id),
                 CASE WHEN r.is_closed
                      THEN month_of(max(r.status_report_date) OVER (PARTITION BY r.project_id)) END)
            AS completion_month,
        -- PD: the first month whose cumulative plan reaches BAC
        min(r.month_index) FILTER (WHERE r.bac > 0 AND r.pv_plan >= r.bac) OVER (PARTITION BY r.project_id) AS pd
    FROM reported AS r
),
terminated AS (
    -- a closed or cancelled project's baseline closes at its completion month: it earns no more PV after it
    SELECT
        m.*,
        CASE WHEN m.is_closed THEN m.completion_month END AS termination_month,
        max(m.pv_plan) FILTER (WHERE m.month <= m.completion_month) OVER (PARTITION BY m.project_id)
            AS pv_at_completion
    FROM marked AS m
)
SELECT
    m.* EXCLUDE (pv_at_completion),
    CASE WHEN m.month > m.termination_month THEN m.pv_at_completion ELSE m.pv_plan END AS pv,
    coalesce(m.month >= m.completion_month, false) AS is_complete,
    -- AT stops at completion: a finished project's schedule performance no longer decays
    -- (greatest/least skip NULLs in DuckDB, hence the explicit CASE)
    CASE
        WHEN m.is_future THEN NULL
        WHEN m.completion_month IS NULL THEN m.month_index
        ELSE least(m.month_index, greatest(1, date_diff('month', m.first_month, m.completion_month) + 1))
    END AS at_months
FROM terminated AS m;
