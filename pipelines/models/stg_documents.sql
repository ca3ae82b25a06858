-- one row per document (project, document type, title): the latest load wins
CREATE OR REPLACE TEMP VIEW stg_documents AS
SELECT
    d.project_id,
    d.document_type,
    norm_key(d.document_type) AS document_key,
    d.title,
    d.version,
    nullif(trim(d.owner), '') AS owner,
    d.last_updated,
    norm_key(d.approval_status) AS approval_status,
    d._load_id,
    d._source_file,
    d._source_row
FROM latest_documents AS d
WHERE d.project_id IS NOT NULL AND d.document_type IS NOT NULL;
