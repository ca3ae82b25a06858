-- one row per team per ISO week: hours and capacity summed first, then utilisation = sum(hours) / sum(capacity)
CREATE OR REPLACE TABLE mart_utilisation_team AS
SELECT
    coalesce(team, '(no team)') AS team,
    week_start,
    strftime(week_start, '%G-W%V') AS iso_week,
    count(*) FILTER (WHERE capacity_hours > 0) AS people,
    sum(hours_logged) AS hours_logged,
    sum(capacity_hours) AS capacity_hours,
    sum(hours_logged) / nullif(sum(capacity_hours), 0) AS utilisation,
    sum(billable_hours) AS billable_hours,
    sum(billable_hours) / nullif(sum(hours_logged), 0) AS billable_share,
    count(*) FILTER (WHERE over_allocated) AS over_allocated_people,
    count(*) FILTER (WHERE under_allocated) AS under_allocated_people
FROM mart_utilisation
GROUP BY coalesce(team, '(no team)'), week_start;
