-- one row per team per ISO week: hours and capacity summed first, then utilisation = sum(hours) / sum(capacity).
-- Numerator and denominator cover the same people: those with capacity that week. Hours logged outside
-- employment (or by someone unknown to the people source) are counted apart, in hours_outside_employment.
CREATE OR REPLACE TABLE mart_utilisation_team AS
SELECT
    coalesce(team, '(no team)') AS team,
    week_start,
    strftime(week_start, '%G-W%V') AS iso_week,
    count(*) FILTER (WHERE capacity_hours > 0) AS people,
    coalesce(sum(hours_logged) FILTER (WHERE capacity_hours > 0), 0) AS hours_logged,
    sum(capacity_hours) AS capacity_hours,
    sum(hours_logged) FILTER (WHERE capacity_hours > 0) / nullif(sum(capacity_hours), 0) AS utilisation,
    coalesce(sum(billable_hours) FILTER (WHERE capacity_hours > 0), 0) AS billable_hours,
    sum(billable_hours) FILTER (WHERE capacity_hours > 0)
        / nullif(sum(hours_logged) FILTER (WHERE capacity_hours > 0), 0) AS billable_share,
    coalesce(sum(hours_logged) FILTER (WHERE coalesce(capacity_hours, 0) = 0), 0) AS hours_outside_employment,
    count(*) FILTER (WHERE over_allocated) AS over_allocated_people,
    count(*) FILTER (WHERE under_allocated) AS under_allocated_people
FROM mart_utilisation
WHERE in_week_slice(week_start)
GROUP BY coalesce(team, '(no team)'), week_start;
