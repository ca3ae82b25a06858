-- one row per quality check: the latest load wins
CREATE OR REPLACE TEMP VIEW stg_quality AS
SELECT
    q.check_id,
    q.project_id,
    q.check_date,
    norm_key(q.check_type) AS check_type,
    norm_key(q.result) AS result,
    q.defects_open,
    q.defects_closed,
    q._load_id,
    q._source_file,
    q._source_row
FROM raw_quality AS q
LEFT JOIN load_log AS l ON l.load_id = q._load_id
WHERE q.check_id IS NOT NULL AND q.check_date IS NOT NULL
QUALIFY row_number() OVER (
    PARTITION BY q.check_id
    ORDER BY l.loaded_at DESC NULLS LAST, q._load_id DESC NULLS LAST, q._source_row DESC NULLS LAST
) = 1;
