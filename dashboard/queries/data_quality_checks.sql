-- one row per expectation run on the last load of each source, failures first
WITH last AS (
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
WHERE g.load_id IN (SELECT load_id FROM last)
  AND (NOT $failed_only OR NOT g.success)
ORDER BY g.success, g.severity, g.source, g.rule
