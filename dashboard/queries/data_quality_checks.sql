-- one row per expectation run on the loads in use (the files every number comes from) and on each source's
-- last load when that one was rejected, failures first
WITH shown AS (
    SELECT load_id FROM load_log WHERE status IN ('loaded', 'loaded_with_quarantine')
    UNION
    SELECT load_id FROM load_log
    QUALIFY row_number() OVER (PARTITION BY source ORDER BY loaded_at DESC, load_id DESC) = 1
)
SELECT
    g.source,
    g.file_name,
    g.rule,
    g.column_name,
    g.severity,
    g.success,
    g.unexpected_count,
    g.examples,
    g.expectation,
    g.checked_at
FROM gate_results AS g
WHERE g.load_id IN (SELECT load_id FROM shown)
  AND (NOT $failed_only OR NOT g.success)
ORDER BY g.success, g.severity, g.source, g.rule
