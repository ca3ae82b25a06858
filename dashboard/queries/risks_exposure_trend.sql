-- one row per month end (from the first risk snapshot of the filtered projects to $month_end) per band: open
-- risks and exposure (sum of probability x impact) as they stood then (each project's latest snapshot on or
-- before that month end)
WITH risk AS (
    SELECT r.*
    FROM mart_risk AS r
    JOIN filtered_projects AS p USING (project_id)
    WHERE r.as_of_date <= $month_end
),
months AS (
    SELECT CAST(last_day(CAST(m AS DATE)) AS DATE) AS month_end
    FROM (SELECT min(as_of_date) AS first FROM risk) AS s,
         generate_series(CAST(date_trunc('month', s.first) AS TIMESTAMP),
                         CAST(date_trunc('month', CAST($month_end AS DATE)) AS TIMESTAMP), INTERVAL 1 MONTH) AS g(m)
    WHERE s.first IS NOT NULL
),
snapshot AS (
    -- each project's latest snapshot on or before each month end
    SELECT m.month_end, r.project_id, max(r.as_of_date) AS as_of_date
    FROM months AS m
    JOIN (SELECT DISTINCT project_id, as_of_date FROM risk) AS r ON r.as_of_date <= m.month_end
    GROUP BY m.month_end, r.project_id
)
SELECT
    s.month_end AS as_of_date,
    r.band,
    any_value(r.band_rank) AS band_rank,
    count(*) AS risks,
    sum(r.score) AS exposure
FROM snapshot AS s
JOIN risk AS r USING (project_id, as_of_date)
WHERE r.is_open
GROUP BY s.month_end, r.band
ORDER BY s.month_end, band_rank
