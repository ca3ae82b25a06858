-- one row per RAID item (issue / action / decision) raised by the report date: open flag, age and overdue
-- status as of the report date
CREATE OR REPLACE TABLE mart_issues AS
WITH rd AS (
    SELECT as_of_date AS report_date FROM dim_report_date
),
items AS (
    SELECT
        i.*,
        rd.report_date,
        -- closed on or before the report date; a later closure means it was still open then
        (i.status = 'closed' AND (i.closed_date IS NULL OR i.closed_date <= rd.report_date))
            OR i.closed_date <= rd.report_date AS is_closed
    FROM stg_issues AS i
    CROSS JOIN rd
    WHERE i.raised_date IS NULL OR i.raised_date <= rd.report_date
)
SELECT
    i.item_id,
    i.project_id,
    i.kind,
    i.title,
    i.status,
    NOT coalesce(i.is_closed, false) AS is_open,
    i.raised_date,
    strftime(i.raised_date, '%Y-%m') AS raised_period,
    i.owner,
    i.due_date,
    i.closed_date,
    date_diff('day', i.raised_date,
              CASE WHEN coalesce(i.is_closed, false) THEN coalesce(i.closed_date, i.report_date)
                   ELSE i.report_date END) AS age_days,
    CASE WHEN coalesce(i.is_closed, false) THEN 'closed' ELSE b.band END AS age_band,
    NOT coalesce(i.is_closed, false) AND coalesce(i.due_date < i.report_date, false) AS is_overdue,
    CASE WHEN NOT coalesce(i.is_closed, false) AND i.due_date < i.report_date
         THEN date_diff('day', i.due_date, i.report_date) END AS days_overdue,
    i._source_file AS source_file,
    i._load_id AS load_id,
    i._source_row AS source_row
FROM items AS i
-- [issues] age_band_days: the band holding the open item's age at the report date
LEFT JOIN cfg_issue_age_band AS b
    ON date_diff('day', i.raised_date, i.report_date) BETWEEN b.min_days AND coalesce(b.max_days, 2147483647);
