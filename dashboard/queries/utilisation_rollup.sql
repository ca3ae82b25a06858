-- one row per group (team / department / total, chosen by $level) per ISO week from $week_from to $week_to
-- (DATEs, inclusive): hours and capacity summed over the group's people first, then
-- utilisation = sum(hours_logged) / sum(capacity_hours); never an average of people's utilisation. Like
-- mart_utilisation_team, both cover the same people (capacity that week); other hours are hours_outside_employment.
-- Filters: the person's department; project filters keep the people who booked to a selected project.
SELECT
    $level AS level,
    coalesce(CASE $level
        WHEN 'team' THEN u.team
        WHEN 'department' THEN u.department
        WHEN 'total' THEN 'Everyone'
        ELSE error('utilisation_rollup: unknown level (team, department or total)')
    END, '(none)') AS group_name,
    u.week_start,
    strftime(u.week_start, '%G-W%V') AS iso_week,
    count(*) FILTER (WHERE u.capacity_hours > 0) AS people,
    coalesce(sum(u.hours_logged) FILTER (WHERE u.capacity_hours > 0), 0) AS hours_logged,
    sum(u.capacity_hours) AS capacity_hours,
    sum(u.hours_logged) FILTER (WHERE u.capacity_hours > 0) / nullif(sum(u.capacity_hours), 0) AS utilisation,
    coalesce(sum(u.billable_hours) FILTER (WHERE u.capacity_hours > 0), 0) AS billable_hours,
    sum(u.billable_hours) FILTER (WHERE u.capacity_hours > 0)
        / nullif(sum(u.hours_logged) FILTER (WHERE u.capacity_hours > 0), 0) AS billable_share,
    coalesce(sum(u.hours_logged) FILTER (WHERE coalesce(u.capacity_hours, 0) = 0), 0) AS hours_outside_employment,
    count(*) FILTER (WHERE u.over_allocated) AS over_allocated_people,
    count(*) FILTER (WHERE u.under_allocated) AS under_allocated_people
FROM mart_utilisation AS u
WHERE u.week_start BETWEEN $week_from AND $week_to
  AND (len($departments) = 0 OR list_contains($departments, u.department))
  AND (NOT $by_project OR u.employee_id IN (SELECT employee_id FROM booked_people))
GROUP BY ALL
ORDER BY group_name, u.week_start
