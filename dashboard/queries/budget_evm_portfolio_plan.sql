-- one row per month from the filtered projects' first planned month to their last: the portfolio's whole plan
-- (pv_plan = sum of every project's cumulative PV; a project whose plan has ended counts at its last PV = BAC)
WITH plan AS (
    SELECT e.project_id, e.period, e.month_end, e.pv
    FROM mart_evm AS e
    JOIN filtered_projects AS p USING (project_id)
    WHERE e.pv IS NOT NULL
),
months AS (
    SELECT DISTINCT period, month_end FROM plan
),
grid AS (
    SELECT m.period, m.month_end, x.project_id
    FROM months AS m
    CROSS JOIN (SELECT DISTINCT project_id FROM plan) AS x
)
SELECT g.period, any_value(g.month_end) AS month_end, sum(p.pv) AS pv_plan
FROM grid AS g
ASOF LEFT JOIN plan AS p ON g.project_id = p.project_id AND g.month_end >= p.month_end
GROUP BY g.period
ORDER BY g.period
