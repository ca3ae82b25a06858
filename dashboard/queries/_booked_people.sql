-- people who booked time to a project passing the sidebar's project filters in the ISO weeks from $week_from to
-- $week_to: people-based queries keep `NOT $by_project OR employee_id IN (SELECT employee_id FROM booked_people)`
SELECT DISTINCT b.employee_id
FROM mart_time_booked AS b
JOIN filtered_projects AS fp USING (project_id)
WHERE b.week_start BETWEEN $week_from AND $week_to
