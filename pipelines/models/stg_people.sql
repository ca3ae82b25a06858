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
FROM raw_people AS p
LEFT JOIN load_log AS l ON l.load_id = p._load_id
WHERE p.employee_id IS NOT NULL
QUALIFY row_number() OVER (
    PARTITION BY p.employee_id
    ORDER BY l.loaded_at DESC NULLS LAST, p._load_id DESC NULLS LAST, p._source_row DESC NULLS LAST
) = 1;
