-- one row per change request of the filtered projects submitted by $month_end, with its decision as it stood
-- then (a decision dated later was still pending), cycle time and pending age in days
SELECT
    c.change_id,
    c.project_id,
    p.project_name,
    c.title,
    c.change_type,
    c.submitted_date,
    CASE WHEN c.decision_date <= $month_end THEN c.decision
         WHEN c.decision = 'pending' OR c.decision_date > $month_end THEN 'pending'
         ELSE c.decision END AS decision,
    CASE WHEN c.decision_date <= $month_end THEN c.decision_date END AS decision_date,
    CASE WHEN c.decision_date <= $month_end THEN date_diff('day', c.submitted_date, c.decision_date) END
        AS cycle_days,
    CASE WHEN c.decision = 'pending' OR c.decision_date > $month_end
         THEN date_diff('day', c.submitted_date, $month_end) END AS pending_days,
    c.cost_impact,
    p.currency,
    c.schedule_impact_days,
    c.source_file
FROM mart_changes AS c
JOIN filtered_projects AS p USING (project_id)
WHERE c.submitted_date <= $month_end
ORDER BY c.submitted_date DESC, c.change_id
