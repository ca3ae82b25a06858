-- one row per person per ISO week (week_start = Monday) in which the person is employed, over the span of
-- timesheet data up to the report date: hours logged vs capacity prorated to employment dates
-- (an incremental build refreshes only the weeks a load touched: in_week_slice)
CREATE OR REPLACE TABLE mart_utilisation AS
WITH rd AS (
    SELECT as_of_date FROM dim_report_date
),
cfg AS (
    SELECT
        max(num) FILTER (WHERE key = 'utilisation.over_allocated_above') AS over_above,
        max(num) FILTER (WHERE key = 'utilisation.under_allocated_below') AS under_below
    FROM cfg_setting
),
logged AS (
    SELECT
        t.employee_id,
        CAST(date_trunc('week', t.work_date) AS DATE) AS week_start,
        sum(t.hours) AS hours_logged,
        sum(t.hours) FILTER (WHERE t.billable) AS billable_hours
    FROM stg_timesheets AS t
    CROSS JOIN rd
    WHERE t.work_date <= rd.as_of_date AND in_week_slice(t.work_date)
    GROUP BY ALL
),
span AS (
    -- every week of timesheet data, in the slice or not
    SELECT CAST(date_trunc('week', min(t.work_date)) AS DATE) AS first_week,
           CAST(date_trunc('week', max(t.work_date)) AS DATE) AS last_week
    FROM stg_timesheets AS t
    CROSS JOIN rd
    WHERE t.work_date <= rd.as_of_date
),
weeks AS (
    SELECT week_start
    FROM (SELECT CAST(unnest(generate_series(CAST(first_week AS TIMESTAMP), CAST(last_week AS TIMESTAMP),
                                             INTERVAL 7 DAY)) AS DATE) AS week_start
          FROM span
          WHERE first_week IS NOT NULL)
    WHERE in_week_slice(week_start)
),
employed AS (
    -- every week with at least one working day (Mon-Fri) inside the employment dates
    SELECT p.employee_id, w.week_start
    FROM dim_person AS p
    JOIN weeks AS w
        ON (p.start_date IS NULL OR p.start_date <= w.week_start + 4)
       AND (p.end_date IS NULL OR p.end_date >= w.week_start)
),
person_week AS (
    SELECT
        coalesce(e.employee_id, l.employee_id) AS employee_id,
        coalesce(e.week_start, l.week_start) AS week_start,
        coalesce(l.hours_logged, 0) AS hours_logged,
        coalesce(l.billable_hours, 0) AS billable_hours
    FROM employed AS e
    FULL JOIN logged AS l ON l.employee_id = e.employee_id AND l.week_start = e.week_start
),
capacity AS (
    SELECT
        pw.*,
        p.team,
        p.department,
        p.weekly_capacity_hours,
        -- working days (Mon-Fri) of the week inside [start_date, end_date]
        greatest(0, date_diff('day',
                              greatest(pw.week_start, coalesce(p.start_date, pw.week_start)),
                              least(pw.week_start + 4, coalesce(p.end_date, pw.week_start + 4))) + 1)
            AS working_days_employed,
        p.employee_id IS NOT NULL AS is_known_person
    FROM person_week AS pw
    LEFT JOIN dim_person AS p USING (employee_id)
),
measured AS (
    SELECT
        c.*,
        CASE WHEN c.is_known_person THEN c.weekly_capacity_hours * c.working_days_employed / 5.0 END
            AS capacity_hours
    FROM capacity AS c
)
SELECT
    m.employee_id,
    m.team,
    m.department,
    m.week_start,
    m.hours_logged,
    m.capacity_hours,
    m.hours_logged / nullif(m.capacity_hours, 0) AS utilisation,
    m.billable_hours,
    m.billable_hours / nullif(m.hours_logged, 0) AS billable_share,
    m.hours_logged / nullif(m.capacity_hours, 0) > cfg.over_above AS over_allocated,
    m.hours_logged / nullif(m.capacity_hours, 0) < cfg.under_below AS under_allocated,
    m.working_days_employed,
    m.weekly_capacity_hours,
    -- hours logged by someone unknown to the people source, or outside their employment dates
    NOT m.is_known_person OR (m.hours_logged > 0 AND m.working_days_employed = 0) AS logged_outside_employment
FROM measured AS m
CROSS JOIN cfg;
