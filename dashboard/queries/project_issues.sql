-- one row per RAID item of the project raised on or before $month_end, open and overdue first
SELECT
    item_id, kind, title, status, owner, raised_date, due_date, closed_date, age_days, is_overdue, source_file
FROM mart_issues
WHERE project_id = $project_id AND raised_date <= $month_end
ORDER BY is_open DESC, is_overdue DESC, raised_date, item_id
