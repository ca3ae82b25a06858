-- one row per load (file and source), newest first (at most $limit); $rejected_only keeps rejected loads
SELECT
    loaded_at,
    source,
    file_name,
    status,
    as_of_date,
    rows_read,
    rows_loaded,
    rows_quarantined,
    message,
    load_id
FROM load_log
WHERE NOT $rejected_only OR status = 'rejected'
ORDER BY loaded_at DESC, source
LIMIT $limit
