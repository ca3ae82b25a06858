-- one row per project per calendar month with at least one quality check: checks by result, pass rate,
-- open defects (latest check of each check type that month, summed) and defects closed
CREATE OR REPLACE TABLE mart_quality AS
WITH rd AS (
    SELECT as_of_date AS report_date FROM dim_report_date
),
cfg AS (
    SELECT
        max(num) FILTER (WHERE key = 'quality.conditional_counts_as') AS conditional_weight,
        max(num) FILTER (WHERE key = 'quality.amber_below') AS amber_below,
        max(num) FILTER (WHERE key = 'quality.red_below') AS red_below
    FROM cfg_setting
),
checks AS (
    SELECT q.*, month_of(q.check_date) AS month
    FROM stg_quality AS q
    CROSS JOIN rd
    WHERE q.check_date <= rd.report_date
),
by_type AS (
    SELECT
        project_id,
        month,
        check_type,
        arg_max(defects_open, check_date) AS defects_open,
        sum(defects_closed) AS defects_closed
    FROM checks
    GROUP BY project_id, month, check_type
),
defects AS (
    SELECT project_id, month, CAST(sum(defects_open) AS BIGINT) AS defects_open,
           CAST(sum(defects_closed) AS BIGINT) AS defects_closed
    FROM by_type
    GROUP BY project_id, month
),
results AS (
    SELECT
        project_id,
        month,
        count(*) AS checks,
        count(*) FILTER (WHERE result = 'pass') AS passed,
        count(*) FILTER (WHERE result = 'fail') AS failed,
        count(*) FILTER (WHERE result = 'conditional') AS conditional
    FROM checks
    GROUP BY project_id, month
)
SELECT
    r.project_id,
    strftime(r.month, '%Y-%m') AS period,
    r.month AS month_start,
    last_day(r.month) AS month_end,
    r.checks,
    r.passed,
    r.failed,
    r.conditional,
    (r.passed + cfg.conditional_weight * r.conditional) / nullif(r.checks, 0) AS pass_rate,
    CASE
        WHEN r.checks = 0 THEN 'grey'
        WHEN (r.passed + cfg.conditional_weight * r.conditional) / r.checks < cfg.red_below THEN 'red'
        WHEN (r.passed + cfg.conditional_weight * r.conditional) / r.checks < cfg.amber_below THEN 'amber'
        ELSE 'green'
    END AS quality_rag,
    d.defects_open,
    d.defects_closed
FROM results AS r
LEFT JOIN defects AS d USING (project_id, month)
CROSS JOIN cfg;
