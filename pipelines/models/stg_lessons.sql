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
FROM latest_lessons AS s
WHERE s.lesson_id IS NOT NULL;
