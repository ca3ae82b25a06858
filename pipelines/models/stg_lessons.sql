-- one row per lesson: the latest load wins
CREATE OR REPLACE TEMP VIEW stg_lessons AS
SELECT
    s.lesson_id,
    s.project_id,
    s.recorded_date,
    nullif(trim(s.category), '') AS category,
    s.description,
    s.recommendation,
    s._load_id,
    s._source_file,
    s._source_row
FROM raw_lessons AS s
LEFT JOIN load_log AS l ON l.load_id = s._load_id
WHERE s.lesson_id IS NOT NULL
QUALIFY row_number() OVER (
    PARTITION BY s.lesson_id
    ORDER BY l.loaded_at DESC NULLS LAST, s._load_id DESC NULLS LAST, s._source_row DESC NULLS LAST
) = 1;
