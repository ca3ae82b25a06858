-- one row per person, project, day and activity (the loader keeps raw_timesheets unique per grain, so the
-- 10 M rows are neither copied nor re-sorted here)
CREATE OR REPLACE TEMP VIEW stg_timesheets AS
SELECT
    employee_id,
    project_id,
    work_date,
    hours,
    activity,
    coalesce(billable, false) AS billable
FROM raw_timesheets
WHERE employee_id IS NOT NULL AND work_date IS NOT NULL AND hours IS NOT NULL;
