-- one row per project passing the sidebar filters (every dim_project column); RAG = computed RAG at $period, grey when
-- none. $active_only (the default scope) keeps the active portfolio: not closed, cancelled or finished by $month_end
-- (closed_projects) and not on hold (its current status)
SELECT p.*
FROM dim_project AS p
LEFT JOIN mart_health AS h ON h.project_id = p.project_id AND h.period = $period
WHERE (len($portfolios) = 0 OR list_contains($portfolios, p.portfolio))
  AND (len($programmes) = 0 OR list_contains($programmes, p.programme))
  AND (len($departments) = 0 OR list_contains($departments, p.department))
  AND (len($managers) = 0 OR list_contains($managers, p.manager))
  AND (len($stages) = 0 OR list_contains($stages, p.lifecycle_stage))
  AND (len($rags) = 0 OR list_contains($rags, coalesce(h.computed_rag, 'grey')))
  AND (NOT $active_only OR (coalesce(p.status, '') <> 'on_hold'
                            AND p.project_id NOT IN (SELECT project_id FROM closed_projects)))
