-- one row per source and rule: the rows the gate quarantined in the loads in use (a cell entry excepted)
SELECT q.source, q.rule, count(*) AS rows_quarantined, string_agg(DISTINCT q.file_name, ', ') AS files
FROM quarantine AS q
JOIN load_log AS l USING (load_id)
WHERE l.status IN ('loaded', 'loaded_with_quarantine') AND NOT q.row_loaded
GROUP BY q.source, q.rule
ORDER BY rows_quarantined DESC, q.source, q.rule
