-- one row per project, month and cost category: the latest load wins; period parsed to its first day
CREATE OR REPLACE TEMP VIEW stg_budgets AS
SELECT
    b.project_id,
    period_month(b.period) AS month,
    category_key(b.cost_category) AS cost_category,
    b.planned_cost,
    b.actual_cost,
    b._load_id,
    b._source_file,
    b._source_row
FROM latest_budgets AS b
WHERE b.project_id IS NOT NULL AND period_month(b.period) IS NOT NULL;
