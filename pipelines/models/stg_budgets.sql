-- one row per project, month and cost category: the latest load wins; period parsed to its first day
CREATE OR REPLACE TEMP VIEW stg_budgets AS
SELECT
    b.project_id,
    period_month(b.period) AS month,
    coalesce(nullif(trim(b.cost_category), ''), '(none)') AS cost_category,
    b.planned_cost,
    b.actual_cost,
    b._load_id,
    b._source_file,
    b._source_row
FROM raw_budgets AS b
LEFT JOIN load_log AS l ON l.load_id = b._load_id
WHERE b.project_id IS NOT NULL AND period_month(b.period) IS NOT NULL
QUALIFY row_number() OVER (
    PARTITION BY b.project_id, period_month(b.period), coalesce(nullif(trim(b.cost_category), ''), '(none)')
    ORDER BY l.loaded_at DESC NULLS LAST, b._load_id DESC NULLS LAST, b._source_row DESC NULLS LAST
) = 1;
