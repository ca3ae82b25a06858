-- one row per distinct value of each filterable project dimension (the sidebar's options)
SELECT dimension, value
FROM (
    SELECT 'portfolio' AS dimension, portfolio AS value FROM dim_project
    UNION SELECT 'programme', programme FROM dim_project
    UNION SELECT 'department', department FROM dim_project
    UNION SELECT 'manager', manager FROM dim_project
    UNION SELECT 'lifecycle_stage', lifecycle_stage FROM dim_project
)
WHERE value IS NOT NULL AND trim(value) <> ''
ORDER BY dimension, value
