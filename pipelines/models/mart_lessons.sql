-- one row per lesson learned, with the project's name and grouping for search and filtering
CREATE OR REPLACE TABLE mart_lessons AS
SELECT
    l.lesson_id,
    l.project_id,
    p.project_name,
    p.portfolio,
    p.programme,
    p.department,
    p.lifecycle_stage,
    l.recorded_date,
    strftime(l.recorded_date, '%Y-%m') AS recorded_period,
    l.category,
    l.description,
    l.recommendation,
    l._source_file AS source_file,
    l._load_id AS load_id,
    l._source_row AS source_row
FROM stg_lessons AS l
LEFT JOIN dim_project AS p USING (project_id);
