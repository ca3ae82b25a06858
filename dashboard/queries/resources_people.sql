-- one row per person over the ISO weeks starting from $week_from to $week_to (inclusive): hours, capacity and
-- billable hours summed, then utilisation and billable share. Department filter = the person's department;
-- project filters keep the people who booked time to a selected project (booked_people)
SELECT
    u.employee_id,
    any_value(d.name) AS name,
    coalesce(any_value(u.team), '(no team)') AS team,
    any_value(u.department) AS department,
    any_value(d.role) AS role,
    count(*) AS weeks,
    sum(u.hours_logged) AS hours_logged,
    sum(u.capacity_hours) AS capacity_hours,
    sum(u.billable_hours) AS billable_hours,
    sum(u.hours_logged) / nullif(sum(u.capacity_hours), 0) AS utilisation,
    sum(u.billable_hours) / nullif(sum(u.hours_logged), 0) AS billable_share,
    bool_or(u.logged_outside_employment) AS logged_outside_employment
FROM mart_utilisation AS u
LEFT JOIN dim_person AS d USING (employee_id)
WHERE u.week_start BETWEEN $week_from AND $week_to
  AND (len($departments) = 0 OR list_contains($departments, u.department))
  AND (NOT $by_project OR u.employee_id IN (SELECT employee_id FROM booked_people))
GROUP BY u.employee_id
ORDER BY utilisation DESC NULLS LAST, u.employee_id
