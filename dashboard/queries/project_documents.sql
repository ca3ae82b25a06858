-- one row per document type of the project (mandatory for its stage or present): present / stale / missing
SELECT document_type, is_mandatory, state, title, version, owner, last_updated, age_days, approval_status, source_file
FROM mart_documents
WHERE project_id = $project_id
ORDER BY is_mandatory DESC, document_type
