-- one row per project: attributes from the projects source + the plan's BAC (sum of planned_cost) and span
CREATE OR REPLACE TABLE dim_project AS
WITH plan AS (
    SELECT
        project_id,
        CAST(sum(planned_cost) AS DECIMAL(18,2)) AS bac,
        min(month) AS first_planned_month,
        max(month) AS last_planned_month,
        count(DISTINCT month) AS planned_months
    FROM stg_budgets
    GROUP BY project_id
),
tolerance AS (
    SELECT max(num) AS share FROM cfg_setting WHERE key = 'evm.bac_tolerance'
)
SELECT
    p.project_id,
    p.project_name,
    p.portfolio,
    p.programme,
    p.department,
    p.sponsor,
    p.manager,
    p.lifecycle_stage,
    p.lifecycle_stage_key,
    p.status,
    p.priority,
    p.currency,
    p.start_date,
    p.planned_finish_date,
    p.actual_finish_date,
    plan.bac,
    p.budget_at_completion AS declared_bac,
    p.budget_at_completion - plan.bac AS bac_difference,
    coalesce(abs(p.budget_at_completion - plan.bac) > tolerance.share * abs(plan.bac), false) AS bac_mismatch,
    plan.first_planned_month,
    plan.last_planned_month,
    plan.planned_months,
    plan.bac IS NOT NULL AS has_budget_plan,
    coalesce(p.status IN ('closed', 'cancelled'), false) AS is_closed,
    date_diff('day', p.planned_finish_date, p.actual_finish_date) AS finish_slip_days,
    p._source_file AS source_file,
    p._load_id AS load_id,
    p._source_row AS source_row
FROM stg_projects AS p
LEFT JOIN plan USING (project_id)
CROSS JOIN tolerance;
