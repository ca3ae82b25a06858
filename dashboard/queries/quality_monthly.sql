-- one row per month up to $period with quality checks on the filtered projects: checks by result, pass rate
-- (conditional results weighted as configured), open defects at the month's last check of each type and
-- defects closed, summed over projects first
SELECT
    q.period,
    any_value(q.month_start) AS month_start,
    count(DISTINCT q.project_id) AS projects,
    CAST(sum(q.checks) AS BIGINT) AS checks,
    CAST(sum(q.passed) AS BIGINT) AS passed,
    CAST(sum(q.failed) AS BIGINT) AS failed,
    CAST(sum(q.conditional) AS BIGINT) AS conditional,
    (sum(q.passed) + coalesce(any_value(c.num), 0.5) * sum(q.conditional)) / nullif(sum(q.checks), 0) AS pass_rate,
    CAST(sum(q.defects_open) AS BIGINT) AS defects_open,
    CAST(sum(q.defects_closed) AS BIGINT) AS defects_closed
FROM mart_quality AS q
JOIN filtered_projects AS p USING (project_id)
LEFT JOIN cfg_setting AS c ON c.key = 'quality.conditional_counts_as'
WHERE q.period <= $period
GROUP BY q.period
ORDER BY q.period
