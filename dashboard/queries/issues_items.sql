-- one row per RAID item (issue / action / decision) of the filtered projects raised by $month_end, as it stood
-- then: open unless closed on or before $month_end; age band and overdue against $month_end
WITH items AS (
    SELECT
        i.*,
        p.project_name,
        coalesce(i.closed_date <= $month_end OR (i.status = 'closed' AND i.closed_date IS NULL), false) AS closed_then
    FROM mart_issues AS i
    JOIN filtered_projects AS p USING (project_id)
    WHERE i.raised_date <= $month_end
)
SELECT
    item_id,
    project_id,
    project_name,
    kind,
    title,
    owner,
    CASE WHEN closed_then THEN 'closed' WHEN status = 'closed' THEN 'open' ELSE status END AS status,
    NOT closed_then AS is_open,
    raised_date,
    due_date,
    CASE WHEN closed_then THEN closed_date END AS closed_date,
    date_diff('day', raised_date, CASE WHEN closed_then THEN coalesce(closed_date, $month_end) ELSE $month_end END)
        AS age_days,
    CASE WHEN closed_then THEN 'closed' ELSE b.band END AS age_band,
    NOT closed_then AND coalesce(due_date < $month_end, false) AS is_overdue,
    CASE WHEN NOT closed_then AND due_date < $month_end THEN date_diff('day', due_date, $month_end) END
        AS days_overdue,
    source_file
FROM items
-- [issues] age_band_days, as the marts of this snapshot were built with
LEFT JOIN cfg_issue_age_band AS b
    ON date_diff('day', raised_date, $month_end) BETWEEN b.min_days AND coalesce(b.max_days, 2147483647)
ORDER BY is_open DESC, days_overdue DESC NULLS LAST, raised_date, item_id
