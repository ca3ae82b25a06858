-- rows a later load replaced, newest first (at most $limit): which load replaced how many rows of which earlier
-- load, by which rule (corrected_export: same file name; snapshot_as_of: same project and as-of date; same_grain)
SELECT
    later.loaded_at AS replaced_at,
    r.source,
    later.file_name AS replaced_by,
    earlier.file_name,
    earlier.loaded_at,
    r.rule,
    r.rows AS rows_replaced,
    r.load_id,
    r.replaced_load_id
FROM load_replaced AS r
JOIN load_log AS later USING (load_id)
JOIN load_log AS earlier ON earlier.load_id = r.replaced_load_id
ORDER BY replaced_at DESC, r.source, earlier.file_name, r.rule
LIMIT $limit
