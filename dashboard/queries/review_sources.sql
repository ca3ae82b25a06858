-- one row per source with rows in use: its latest as-of date (snapshot sources) and its last good load
SELECT
    source,
    max(as_of_date) AS latest_as_of,
    max(loaded_at) AS last_load,
    count(*) AS files
FROM load_log
WHERE status IN ('loaded', 'loaded_with_quarantine')
GROUP BY source
ORDER BY source
