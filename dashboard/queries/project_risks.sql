-- one row per risk of the project at its latest risk snapshot on or before $month_end, highest score first
SELECT
    risk_id, title, category, owner, probability, impact, score, band, status, band_change, due_date,
    is_overdue_mitigation, mitigation, as_of_date, source_file
FROM mart_risk
WHERE project_id = $project_id AND as_of_date <= $month_end
QUALIFY as_of_date = max(as_of_date) OVER ()
ORDER BY is_open DESC, score DESC, risk_id
