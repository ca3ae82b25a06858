-- one row per source of the project: the rows of the loads in use that the gate quarantined (held back, not
-- loaded), so a register on Project detail can say it is short of them
SELECT q.source, count(*) AS rows_quarantined, string_agg(DISTINCT q.rule, ', ' ORDER BY q.rule) AS rules
FROM quarantine AS q
JOIN load_log AS l USING (load_id)
WHERE l.status IN ('loaded', 'loaded_with_quarantine') AND NOT q.row_loaded
  AND json_extract_string(q.record, '$.project_id') = $project_id
GROUP BY q.source
ORDER BY q.source
