-- one row per filtered project per milestone snapshot (as_of_date) on or before $month_end: the worst slip of its
-- milestones (days) and how many were late (slip > 0) then
SELECT
    m.project_id,
    any_value(p.project_name) AS project_name,
    m.as_of_date,
    max(m.slip_days) AS slip_days,
    count(*) FILTER (WHERE m.slip_days > 0) AS late_milestones,
    count(*) AS milestones
FROM mart_milestone_slip AS m
JOIN filtered_projects AS p USING (project_id)
WHERE m.as_of_date <= $month_end
GROUP BY m.project_id, m.as_of_date
ORDER BY m.project_id, m.as_of_date
