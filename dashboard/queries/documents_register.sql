-- one row per filtered project per document type (mandatory for its lifecycle stage, or present): its state
-- at $month_end. present / stale (older than documents.stale_after_days, or undated) / missing. The register
-- keeps only each document's latest version: one updated after $month_end counts as present then.
SELECT
    d.project_id,
    p.project_name,
    coalesce(d.lifecycle_stage, p.lifecycle_stage) AS lifecycle_stage,
    d.document_type,
    d.document_key,
    d.is_mandatory,
    d.title,
    d.version,
    d.owner,
    d.last_updated,
    d.approval_status,
    CASE WHEN d.last_updated <= $month_end THEN date_diff('day', d.last_updated, $month_end) END AS age_days,
    CASE
        WHEN d.state = 'missing' THEN 'missing'
        WHEN d.last_updated IS NULL THEN 'stale'
        WHEN d.last_updated > $month_end THEN 'present'
        WHEN date_diff('day', d.last_updated, $month_end) > coalesce(c.num, 180) THEN 'stale'
        ELSE 'present'
    END AS state,
    d.documents_of_type,
    d.source_file
FROM mart_documents AS d
JOIN filtered_projects AS p USING (project_id)
LEFT JOIN cfg_setting AS c ON c.key = 'documents.stale_after_days'
ORDER BY d.project_id, d.is_mandatory DESC, d.document_type
