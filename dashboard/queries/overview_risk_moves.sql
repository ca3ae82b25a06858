-- one row per risk of the filtered projects that is new, escalated or closed between each project's latest
-- risk snapshot on or before $previous_end and its latest on or before $month_end
WITH risk AS (
    SELECT r.*, p.project_name
    FROM mart_risk AS r
    JOIN filtered_projects AS p USING (project_id)
    WHERE r.as_of_date <= $month_end
),
after AS (
    SELECT * FROM risk QUALIFY as_of_date = max(as_of_date) OVER (PARTITION BY project_id)
),
before AS (
    SELECT * FROM risk WHERE as_of_date <= $previous_end
    QUALIFY as_of_date = max(as_of_date) OVER (PARTITION BY project_id)
),
compared AS (
    SELECT
        a.project_id,
        a.project_name,
        a.risk_id,
        a.title,
        CASE
            WHEN b.risk_id IS NULL AND a.is_open THEN 'new'
            WHEN b.is_open AND NOT a.is_open THEN 'closed'
            WHEN a.is_open AND a.band_rank > b.band_rank THEN 'escalated'
        END AS change,
        b.band AS band_before,
        a.band AS band_after,
        b.score AS score_before,
        a.score AS score_after,
        b.status AS status_before,
        a.status AS status_after,
        a.owner
    FROM after AS a
    LEFT JOIN before AS b USING (project_id, risk_id)
    WHERE a.as_of_date > $previous_end
)
SELECT * FROM compared WHERE change IS NOT NULL ORDER BY change, score_after DESC, project_id, risk_id
