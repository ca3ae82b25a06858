-- one row per canonical source ($sources): its last load, what is currently loaded, how fresh it is today,
-- and how the gate went (failed checks of the loads in use and of a rejected last load, quarantined rows of the
-- loads in use)
WITH source AS (
    SELECT unnest($sources) AS source, generate_subscripts($sources, 1) AS position
),
last AS (
    SELECT * FROM load_log
    QUALIFY row_number() OVER (PARTITION BY source ORDER BY loaded_at DESC, load_id DESC) = 1
),
active AS (
    SELECT source, count(*) AS files, sum(rows_loaded) AS rows_loaded, max(as_of_date) AS latest_as_of,
           max(loaded_at) AS last_good_load
    FROM load_log
    WHERE status IN ('loaded', 'loaded_with_quarantine')
    GROUP BY source
),
quarantined AS (
    SELECT q.source, count(*) AS rows_quarantined
    FROM quarantine AS q
    JOIN load_log AS l USING (load_id)
    WHERE l.status IN ('loaded', 'loaded_with_quarantine') AND NOT q.row_loaded
    GROUP BY q.source
),
checks AS (
    SELECT g.source, count(*) AS checks,
           count(*) FILTER (WHERE NOT g.success AND g.severity <> 'warning') AS failed_checks,
           count(*) FILTER (WHERE NOT g.success AND g.severity = 'warning') AS warnings
    FROM gate_results AS g
    JOIN load_log AS l USING (load_id)
    WHERE l.status IN ('loaded', 'loaded_with_quarantine') OR g.load_id IN (SELECT load_id FROM last)
    GROUP BY g.source
),
rejected AS (
    SELECT source, count(*) AS rejected_loads FROM load_log WHERE status = 'rejected' GROUP BY source
)
SELECT
    s.source,
    CASE
        WHEN a.source IS NULL THEN 'never'
        WHEN date_diff('day', coalesce(a.latest_as_of, CAST(a.last_good_load AS DATE)), current_date)
             > $stale_after_days THEN 'stale'
        ELSE 'fresh'
    END AS freshness,
    last.status AS last_status,
    last.loaded_at AS last_load,
    coalesce(c.failed_checks, 0) AS failed_checks,
    coalesce(q.rows_quarantined, 0) AS rows_quarantined,
    coalesce(r.rejected_loads, 0) AS rejected_loads,
    coalesce(a.files, 0) AS files,
    a.rows_loaded,
    a.latest_as_of,
    -- the data's age today: its latest as-of date for snapshot sources, else the last successful load
    date_diff('day', coalesce(a.latest_as_of, CAST(a.last_good_load AS DATE)), current_date) AS age_days,
    last.file_name AS last_file,
    coalesce(c.checks, 0) AS checks,
    coalesce(c.warnings, 0) AS warnings
FROM source AS s
LEFT JOIN last USING (source)
LEFT JOIN active AS a USING (source)
LEFT JOIN checks AS c USING (source)
LEFT JOIN quarantined AS q USING (source)
LEFT JOIN rejected AS r USING (source)
ORDER BY s.position
