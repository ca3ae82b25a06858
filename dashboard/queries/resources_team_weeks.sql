-- one row per team per ISO week (week_start from $week_from to $week_to, inclusive): hours, capacity and billable
-- hours summed over the team's people first, then utilisation = hours / capacity. People-based: department = the
-- person's own; project filters keep the people who booked time to a selected project (booked_people)
SELECT
    coalesce(u.team, '(no team)') AS team,
    u.week_start,
    count(*) FILTER (WHERE u.capacity_hours > 0) AS people,
    sum(u.hours_logged) AS hours_logged,
    sum(u.capacity_hours) AS capacity_hours,
    sum(u.billable_hours) AS billable_hours,
    sum(u.hours_logged) / nullif(sum(u.capacity_hours), 0) AS utilisation,
    sum(u.billable_hours) / nullif(sum(u.hours_logged), 0) AS billable_share
FROM mart_utilisation AS u
WHERE u.week_start BETWEEN $week_from AND $week_to
  AND (len($departments) = 0 OR list_contains($departments, u.department))
  AND (NOT $by_project OR u.employee_id IN (SELECT employee_id FROM booked_people))
GROUP BY ALL
ORDER BY team, u.week_start
