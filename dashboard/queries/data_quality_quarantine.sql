-- one row per quarantined row or cell of the loads in use (at most $limit): where it came from, the rule it
-- broke, the record as read, and whether the row itself loaded (a cell rule: only that cell is empty)
SELECT
    q.source,
    q.file_name,
    q.source_row,
    q.rule,
    q.column_name,
    q.row_loaded,
    CAST(q.record AS VARCHAR) AS record,
    l.loaded_at
FROM quarantine AS q
JOIN load_log AS l USING (load_id)
WHERE l.status IN ('loaded', 'loaded_with_quarantine')
  AND (len($quarantine_sources) = 0 OR list_contains($quarantine_sources, q.source))
ORDER BY l.loaded_at DESC, q.source, q.file_name, q.source_row
LIMIT $limit
