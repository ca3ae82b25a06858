-- one row per lesson of the filtered projects recorded by $month_end whose text (description, recommendation,
-- category, project) contains $search (case-insensitive; % and _ in the search are literal); '' = all
SELECT
    l.lesson_id,
    l.project_id,
    l.project_name,
    l.recorded_date,
    l.category,
    l.description,
    l.recommendation,
    l.source_file
FROM mart_lessons AS l
JOIN filtered_projects AS p USING (project_id)
WHERE (l.recorded_date IS NULL OR l.recorded_date <= $month_end)
  AND ($search = ''
       OR concat_ws(' ', l.description, l.recommendation, l.category, l.project_id, l.project_name)
          ILIKE '%' || replace(replace(replace($search, '\', '\\'), '%', '\%'), '_', '\_') || '%' ESCAPE '\')
ORDER BY l.recorded_date DESC NULLS LAST, l.lesson_id
