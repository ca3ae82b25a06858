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
FROM raw_documents AS d
LEFT JOIN load_log AS l ON l.load_id = d._load_id
WHERE d.project_id IS NOT NULL AND d.document_type IS NOT NULL
QUALIFY row_number() OVER (
    PARTITION BY d.project_id, norm_key(d.document_type), d.title
    ORDER BY l.loaded_at DESC NULLS LAST, d._load_id DESC NULLS LAST, d._source_row DESC NULLS LAST
) = 1;
