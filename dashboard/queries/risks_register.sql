-- one row per risk of the filtered projects as it stood at $month_end: each project's latest risk snapshot on or
-- before $month_end; overdue mitigation = open and due before $month_end
SELECT
    r.project_id,
    p.project_name,
    r.risk_id,
    r.as_of_date,
    r.title,
    r.category,
    r.owner,
    r.probability,
    r.impact,
    r.score,
    r.band,
    r.band_rank,
    r.is_escalated,
    r.status,
    r.is_open,
    r.raised_date,
    r.due_date,
    r.closed_date,
    r.mitigation,
    coalesce(r.is_open AND r.due_date < $month_end, false) AS is_overdue_mitigation,
    CASE WHEN r.is_open AND r.due_date < $month_end THEN date_diff('day', r.due_date, $month_end) END
        AS days_overdue,
    r.previous_score,
    r.band_change,
    r.source_file
FROM mart_risk AS r
JOIN filtered_projects AS p USING (project_id)
WHERE r.as_of_date <= $month_end
QUALIFY r.as_of_date = max(r.as_of_date) OVER (PARTITION BY r.project_id)
ORDER BY r.score DESC, r.project_id, r.risk_id
