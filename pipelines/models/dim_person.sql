-- one row per person: team, department, weekly capacity (default when blank), employment dates
CREATE OR REPLACE TABLE dim_person AS
SELECT
    p.employee_id,
    p.name,
    p.team,
    p.role,
    p.department,
    p.weekly_capacity_hours,
    p.capacity_defaulted,
    p.hourly_cost_rate,
    p.start_date,
    p.end_date,
    (p.start_date IS NULL OR p.start_date <= rd.as_of_date)
        AND (p.end_date IS NULL OR p.end_date >= rd.as_of_date) AS is_employed_at_report_date,
    p._source_file AS source_file,
    p._load_id AS load_id
FROM stg_people AS p
CROSS JOIN dim_report_date AS rd;
