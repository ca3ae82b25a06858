-- one row per (probability, impact) cell with open risks of the filtered projects at $month_end (each project's
-- latest risk snapshot on or before it): number of risks and exposure (sum of scores)
WITH latest AS (
    SELECT r.*
    FROM mart_risk AS r
    JOIN filtered_projects AS p USING (project_id)
    WHERE r.as_of_date <= $month_end
    QUALIFY r.as_of_date = max(r.as_of_date) OVER (PARTITION BY r.project_id)
)
SELECT probability, impact, count(*) AS risks, sum(score) AS exposure
FROM latest
WHERE is_open
GROUP BY probability, impact
ORDER BY probability, impact
