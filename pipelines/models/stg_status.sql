-- one row per project per status report (report_date): the latest load wins; RAG words normalised
CREATE OR REPLACE TEMP VIEW stg_status AS
SELECT
    s.project_id,
    s.report_date,
    s.percent_complete,
    norm_rag(s.overall_rag) AS overall_rag,
    norm_rag(s.schedule_rag) AS schedule_rag,
    norm_rag(s.cost_rag) AS cost_rag,
    norm_rag(s.scope_rag) AS scope_rag,
    s.overall_rag AS overall_rag_as_reported,
    s.forecast_finish_date,
    s.summary,
    s.reported_by,
    s.as_of_date,
    s._load_id,
    s._source_file,
    s._source_row
FROM latest_status AS s
WHERE s.project_id IS NOT NULL AND s.report_date IS NOT NULL;
