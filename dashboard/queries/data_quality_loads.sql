-- one row per load (file and source), newest first (at most $limit); $rejected_only keeps rejected loads.
-- rows_loaded - rows_replaced_later = rows_now, the load's rows in the warehouse today
WITH replaced AS (SELECT replaced_load_id AS load_id, sum(rows) AS rows FROM load_replaced GROUP BY ALL)
SELECT
    l.loaded_at,
    l.source,
    l.file_name,
    l.status,
    l.as_of_date,
    l.rows_read,
    l.rows_loaded,
    l.rows_quarantined,
    coalesce(r.rows, 0) AS rows_replaced_later,
    l.rows_loaded - coalesce(r.rows, 0) AS rows_now,
    l.message,
    l.load_id
FROM load_log AS l
LEFT JOIN replaced AS r USING (load_id)
WHERE NOT $rejected_only OR l.status = 'rejected'
ORDER BY l.loaded_at DESC, l.source
LIMIT $limit
