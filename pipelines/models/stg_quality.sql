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
FROM latest_quality AS q
WHERE q.check_id IS NOT NULL AND q.check_date IS NOT NULL;
