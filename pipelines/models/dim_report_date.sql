-- one row: the report date (as-of) of this build — the `as_of` argument, else the end of the latest month
-- with any status report or booked actual cost, else the end of the current month. No build time: the same
-- raw data builds the same marts, cell for cell (the snapshot's snapshot_info says when it was published)
CREATE OR REPLACE TABLE dim_report_date AS
WITH argument AS (
    SELECT try_cast(max(value) AS DATE) AS as_of FROM cfg_setting WHERE key = 'build.as_of_date'
),
latest AS (
    SELECT max(d) AS d
    FROM (
        SELECT max(report_date) AS d FROM stg_status
        UNION ALL
        SELECT max(last_day(month)) FROM stg_budgets WHERE actual_cost IS NOT NULL AND actual_cost <> 0
    )
)
SELECT
    coalesce(argument.as_of, last_day(latest.d), last_day(current_date)) AS as_of_date,
    month_of(as_of_date) AS as_of_month,
    strftime(as_of_date, '%Y-%m') AS as_of_period,
    CASE
        WHEN argument.as_of IS NOT NULL THEN 'argument'
        WHEN latest.d IS NOT NULL THEN 'latest actuals'
        ELSE 'today (no actuals loaded)'
    END AS as_of_source
FROM argument, latest;
