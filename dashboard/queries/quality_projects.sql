-- one row per filtered project with quality checks in month $period: checks, pass rate, quality RAG, defects
SELECT
    q.project_id,
    p.project_name,
    q.checks,
    q.passed,
    q.failed,
    q.conditional,
    q.pass_rate,
    q.quality_rag,
    CAST(q.defects_open AS BIGINT) AS defects_open,
    CAST(q.defects_closed AS BIGINT) AS defects_closed
FROM mart_quality AS q
JOIN filtered_projects AS p USING (project_id)
WHERE q.period = $period
ORDER BY q.pass_rate NULLS FIRST, q.project_id
