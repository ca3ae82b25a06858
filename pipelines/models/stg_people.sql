-- one row per person: the latest load wins; blank capacity takes the configured default
CREATE OR REPLACE TEMP VIEW stg_people AS
SELECT
    p.employee_id,
    p.name,
    nullif(trim(p.team), '') AS team,
    nullif(trim(p.role), '') AS role,
    nullif(trim(p.department), '') AS department,
    coalesce(p.weekly_capacity_hours,
             (SELECT num FROM cfg_setting WHERE key = 'utilisation.default_weekly_capacity_hours'))
        AS weekly_capacity_hours,
    p.weekly_capacity_hours IS NULL AS capacity_defaulted,
    p.hourly_cost_rate,
    p.start_date,
    p.end_date,
    p._load_id,
    p._source_file,
    p._source_row
FROM latest_people AS p
WHERE p.employee_id IS NOT NULL;
